//===- Parser.cpp - Hebb source to AST ------------------------------------===//
//
// Three stages, all behind hebb::parseFile:
//  1. Lex with the ANTLR lexer, then filter the tokens: newlines that do not
//     end a statement are dropped (see Hebb.g4), stray characters and
//     unterminated strings are reported, and nesting is capped so that no
//     input can exhaust the stack of the recursive-descent parser.
//  2. Parse with the ANTLR parser, reporting syntax errors in plain words
//     through the DiagnosticEngine (a custom error strategy replaces ANTLR's
//     console messages).
//  3. Build the AST of AST.h from the parse tree.
//
// ANTLR throws; every exception is caught here and becomes a diagnostic.
//
//===----------------------------------------------------------------------===//

#include "hebb/Frontend/Parser.h"

#include "HebbLexer.h"
#include "HebbParser.h"
#include "antlr4-runtime.h"

#include <cmath>
#include <cstdlib>

using namespace hebb;
using hebbgen::HebbLexer;
using hebbgen::HebbParser;

namespace {

/// Deeper nesting than this (brackets, braces, chains of prefix or
/// right-associative operators, on which ANTLR's parser recurses) is an
/// error: it keeps every recursive walk, ANTLR's included, far from the end
/// of the stack.
constexpr unsigned kMaxNesting = 256;
/// Prefix, `^` and `?` operators allowed in one statement (see
/// filterTokens).
constexpr unsigned kMaxRecursiveOps = 512;
/// The same for the depth of the AST, which also grows with left-associative
/// chains (`a + b + c ...` parses in a loop but nests in the tree). Later
/// passes recurse on it; 1024 levels is far from any real program and from
/// the end of a stack.
constexpr unsigned kMaxTreeDepth = 1024;
/// Stray characters reported before giving up on a file.
constexpr unsigned kMaxLexErrors = 20;

/// Thrown to abandon the parse after its first syntax error.
struct StopParsing {};

//===----------------------------------------------------------------------===//
// Source positions and error reporting
//===----------------------------------------------------------------------===//

/// Maps ANTLR positions (code points) to the byte columns that the
/// DiagnosticEngine prints carets under, and reports errors.
class Reporter {
public:
  Reporter(uint32_t fileId, DiagnosticEngine &diags)
      : fileId(fileId), diags(diags) {}

  /// Indexes the (UTF-8) text that the lexer will see.
  void index(const std::string &text) {
    // ANTLR indexes the input by code point; the text is valid UTF-8 by now.
    for (size_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
        cpToByte.push_back(static_cast<uint32_t>(i));
    cpToByte.push_back(static_cast<uint32_t>(text.size()));
    lineStart.push_back(0); // lines are 1-based: entry 0 is unused
    lineStart.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n')
        lineStart.push_back(static_cast<uint32_t>(i + 1));
  }

  ast::Loc loc(const antlr4::Token *tok) const {
    ast::Loc l;
    l.file = fileId;
    l.line = static_cast<uint32_t>(tok->getLine());
    size_t start = tok->getStartIndex();
    if (start < cpToByte.size() && l.line < lineStart.size() &&
        cpToByte[start] >= lineStart[l.line])
      l.col = cpToByte[start] - lineStart[l.line] + 1;
    else
      l.col = static_cast<uint32_t>(tok->getCharPositionInLine()) + 1;
    return l;
  }
  ast::Loc loc(antlr4::tree::TerminalNode *node) const {
    return loc(node->getSymbol());
  }
  ast::Loc loc(antlr4::ParserRuleContext *ctx) const {
    return loc(ctx->getStart());
  }
  /// The position just after `tok`: where an error "at end of file" points.
  ast::Loc locAfter(const antlr4::Token *tok) const {
    ast::Loc l = loc(tok);
    size_t start = tok->getStartIndex(), stop = tok->getStopIndex();
    if (start < cpToByte.size() && stop + 1 < cpToByte.size() && stop >= start)
      l.col += cpToByte[stop + 1] - cpToByte[start];
    return l;
  }
  ast::Loc byteLoc(uint32_t line, uint32_t col) const {
    ast::Loc l;
    l.file = fileId;
    l.line = line;
    l.col = col;
    return l;
  }

  void error(ast::Loc l, const std::string &message) {
    diags.error(l, message);
    ++count;
  }
  void errorNoLoc(const std::string &message) {
    diags.errorNoLoc(message);
    ++count;
  }
  unsigned errors() const { return count; }

private:
  uint32_t fileId;
  DiagnosticEngine &diags;
  std::vector<uint32_t> cpToByte;
  std::vector<uint32_t> lineStart;
  unsigned count = 0;
};

/// Replaces bytes that are not UTF-8 with spaces (ANTLR's decoder would
/// throw), reporting the first few. Returns false if any were found.
bool sanitizeUtf8(std::string &text, Reporter &rep) {
  bool ok = true;
  unsigned reported = 0;
  uint32_t line = 1, lineStartByte = 0;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      lineStartByte = static_cast<uint32_t>(i + 1);
      ++i;
      continue;
    }
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool valid = len != 0 && i + len <= text.size();
    for (size_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    // Reject overlong forms, surrogates and values past U+10FFFF, which the
    // decoder rejects too.
    if (valid && len > 1) {
      uint32_t cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      static const uint32_t minForLen[] = {0, 0, 0x80, 0x800, 0x10000};
      valid = cp >= minForLen[len] && cp <= 0x10FFFF &&
              !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (valid) {
      i += len;
      continue;
    }
    if (reported++ < 5) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02X", c);
      rep.error(rep.byteLoc(line, static_cast<uint32_t>(i - lineStartByte + 1)),
                std::string("invalid UTF-8 byte ") + hex +
                    "; Hebb source must be UTF-8");
    }
    ok = false;
    text[i] = ' ';
    ++i;
  }
  return ok;
}

//===----------------------------------------------------------------------===//
// Describing tokens in plain words
//===----------------------------------------------------------------------===//

std::string literalName(const antlr4::dfa::Vocabulary &vocab, size_t type) {
  std::string lit = vocab.getLiteralName(type);
  if (!lit.empty())
    return lit; // already quoted: 'var', '}'
  return vocab.getSymbolicName(type);
}

bool isKeyword(size_t type) {
  return type >= HebbParser::IMPORT && type <= HebbParser::INDEX;
}

/// `name 'x'`, `number '3'`, `'}'`, `end of line`, `end of file`.
std::string describeToken(const antlr4::Token *tok) {
  size_t type = tok->getType();
  std::string text = tok->getText();
  if (text.size() > 40)
    text = text.substr(0, 37) + "...";
  switch (type) {
  case antlr4::Token::EOF:
    return "end of file";
  case HebbParser::NL:
    return "end of line";
  case HebbParser::IDENT:
    return "name '" + text + "'";
  case HebbParser::NUMBER:
    return "number '" + text + "'";
  case HebbParser::STRING:
    return "string " + text;
  default:
    if (isKeyword(type))
      return "keyword '" + text + "'";
    return "'" + text + "'";
  }
}

/// Joins `a`, `b` and `c` as "a, b or c".
std::string joinOr(const std::vector<std::string> &items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i)
      out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

/// Binary and postfix operators: what may continue an expression.
bool isOperator(size_t type) {
  using P = HebbParser;
  switch (type) {
  case P::POW:
  case P::STAR:
  case P::DIV:
  case P::PLUS:
  case P::MINUS:
  case P::LT:
  case P::LE:
  case P::GT:
  case P::GE:
  case P::EQ:
  case P::NE:
  case P::AND:
  case P::OR:
  case P::QUESTION:
  case P::DOT:
  case P::LPAREN:
    return true;
  default:
    return false;
  }
}

/// Describes what the parser would have accepted, grouping the long token
/// sets ANTLR computes into words a user can act on.
std::string describeExpected(const antlr4::dfa::Vocabulary &vocab,
                             const antlr4::misc::IntervalSet &set) {
  using P = HebbParser;
  auto has = [&](size_t t) { return set.contains(static_cast<size_t>(t)); };
  std::vector<size_t> types;
  for (ssize_t t : set.toList())
    types.push_back(static_cast<size_t>(t));
  std::vector<bool> done(vocab.getMaxTokenType() + 2, false);
  auto mark = [&](std::initializer_list<size_t> ts) {
    for (size_t t : ts)
      if (t < done.size())
        done[t] = true;
  };
  std::vector<std::string> words;
  unsigned keywords = 0;
  for (size_t t : types)
    keywords += isKeyword(t);

  // Where any keyword may serve as a name (after `.`, in `dx/dt`, argument
  // names), all ANTLR knows is that a name is expected.
  if (has(P::IDENT) && keywords >= 30) {
    words.push_back("a name");
    mark({P::IDENT});
    for (size_t t : types)
      if (isKeyword(t))
        mark({t});
  }
  // Whole contexts: what may start an item of a body.
  if (has(P::NEURON) && has(P::NETWORK) && !done[P::NEURON]) {
    words.push_back("a declaration (import, func, neuron, synapse or network)");
    mark({P::IMPORT, P::FUNC, P::NEURON, P::SYNAPSE, P::NETWORK});
  }
  if (has(P::VAR) && has(P::SPIKE) && !done[P::VAR]) {
    words.push_back("a model item (var, in, signal, dx/dt = ..., integrate, "
                    "spike when, reset, refractory, update, on or constrain)");
    mark({P::VAR, P::IN, P::SIGNAL, P::IDENT, P::INTEGRATE, P::SPIKE, P::RESET,
          P::REFRACTORY, P::UPDATE, P::ON, P::CONSTRAIN});
  }
  if (has(P::POPULATION) && has(P::PROJECTION) && !done[P::POPULATION]) {
    words.push_back("a network item (population, let, projection, record, "
                    "signal, run, repeat, at, phase or every)");
    mark({P::POPULATION, P::LET, P::PROJECTION, P::RECORD, P::SIGNAL, P::RUN,
          P::REPEAT, P::AT, P::PHASE, P::EVERY});
  } else if (has(P::RUN) && has(P::REPEAT) && !done[P::RUN]) {
    words.push_back("a schedule item (run, repeat, at, phase or every)");
    mark({P::RUN, P::REPEAT, P::AT, P::PHASE, P::EVERY});
  }
  if (has(P::CONNECT) && has(P::NO_SELF) && !done[P::CONNECT]) {
    words.push_back("a projection setting (connect, delay, init, no_self or "
                    "name = value)");
    mark({P::CONNECT, P::DELAY, P::INIT, P::NO_SELF, P::IDENT});
  }
  if (has(P::IF) && has(P::PRE) && !done[P::IF] && !has(P::NUMBER)) {
    words.push_back("a statement");
    mark({P::IF, P::PRE, P::POST, P::IDENT});
  }
  // An expression may start here.
  if (has(P::NUMBER) && has(P::LPAREN) && has(P::MINUS) && has(P::IDENT) &&
      !done[P::IDENT]) {
    words.push_back("an expression");
    mark({P::NUMBER, P::STRING, P::IDENT, P::TRUE, P::FALSE, P::KW_T, P::DT,
          P::INDEX, P::PRE, P::POST, P::LPAREN, P::MINUS, P::PLUS, P::NOT});
  }
  // An expression may continue here.
  unsigned ops = 0;
  for (size_t t : {P::POW, P::STAR, P::DIV, P::PLUS, P::MINUS, P::LT, P::LE,
                   P::GT, P::GE, P::EQ, P::NE, P::AND, P::OR, P::QUESTION})
    ops += has(t) && !done[t];
  if (ops >= 3) {
    mark({P::POW, P::STAR, P::DIV, P::PLUS, P::MINUS, P::LT, P::LE, P::GT,
          P::GE, P::EQ, P::NE, P::AND, P::OR, P::QUESTION});
    // A unit after a number, a call or member after a name: all ways to
    // continue the expression, which "an operator" already suggests.
    mark({P::IDENT, P::LBRACK, P::LPAREN, P::DOT});
  }
  if (has(P::IDENT) && !done[P::IDENT]) {
    words.push_back("a name");
    done[P::IDENT] = true;
  }
  bool endOfLine = false;
  for (size_t t : types) {
    if (t < done.size() && done[t])
      continue;
    if (t == P::NL || t == P::SEMI) {
      if (!endOfLine)
        words.push_back("end of line");
      endOfLine = true;
    } else if (t == antlr4::Token::EOF) {
      words.push_back("end of file");
    } else if (t == P::NUMBER) {
      words.push_back("a number");
    } else if (t == P::STRING) {
      words.push_back("a string");
    } else {
      words.push_back(literalName(vocab, t));
    }
  }
  if (ops >= 3)
    words.push_back("an operator");
  if (words.size() > 8) {
    words.resize(7);
    words.push_back("...");
  }
  return joinOr(words);
}

//===----------------------------------------------------------------------===//
// Token filtering
//===----------------------------------------------------------------------===//

/// The lexer's tokens, as the parser will see them, plus for each the
/// innermost bracket still open before it (for "to close the '(' at ...").
struct FilteredTokens {
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  std::vector<const antlr4::Token *> openerBefore;
  std::vector<bool> nestedBlock; // that opener's block is inside another
  bool ok = true;                // no lexical errors
  bool fatal = false;            // too deep to parse at all
};

/// Tokens after which a newline cannot end a statement.
bool continuesLine(size_t type) {
  using P = HebbParser;
  switch (type) {
  case P::PLUS:
  case P::MINUS:
  case P::STAR:
  case P::DIV:
  case P::POW:
  case P::LT:
  case P::LE:
  case P::GT:
  case P::GE:
  case P::EQ:
  case P::NE:
  case P::AND:
  case P::OR:
  case P::NOT:
  case P::ASSIGN:
  case P::PLUS_ASSIGN:
  case P::MINUS_ASSIGN:
  case P::STAR_ASSIGN:
  case P::DIV_ASSIGN:
  case P::COMMA:
  case P::ARROW:
  case P::COLON:
  case P::QUESTION:
  case P::DOT:
  case P::AT_SIGN:
  case P::LPAREN:
  case P::LBRACK:
  case P::LBRACE:
  case P::SEMI:
    return true;
  default:
    return false;
  }
}

/// Tokens after which a `-`, `+` is binary rather than a prefix operator.
bool endsOperand(size_t type) {
  using P = HebbParser;
  return type == P::IDENT || type == P::NUMBER || type == P::STRING ||
         type == P::RPAREN || type == P::RBRACK || type == P::TRUE ||
         type == P::FALSE || type == P::KW_T || type == P::DT ||
         type == P::INDEX;
}

FilteredTokens filterTokens(std::vector<std::unique_ptr<antlr4::Token>> raw,
                            Reporter &rep) {
  using P = HebbParser;
  FilteredTokens out;
  auto isSep = [](size_t type) { return type == P::NL || type == P::SEMI; };
  // For each position, the type of the next token that is not a newline,
  // and of the next one that is not a separator.
  std::vector<size_t> nextType(raw.size() + 1, antlr4::Token::EOF);
  std::vector<size_t> nextNonSep(raw.size() + 1, antlr4::Token::EOF);
  for (size_t i = raw.size(); i-- > 0;) {
    size_t type = raw[i]->getType();
    nextType[i] = type == P::NL ? nextType[i + 1] : type;
    nextNonSep[i] = isSep(type) ? nextNonSep[i + 1] : type;
  }

  std::vector<const antlr4::Token *> openers;
  unsigned lexErrors = 0;
  unsigned recursiveOps = 0; // prefix, `^` and `?` in this statement
  size_t prevType = P::NL;   // so that separators at the start are dropped
  auto tooDeep = [&](const antlr4::Token *tok, const char *what) {
    rep.error(rep.loc(tok), std::string(what) +
                                " nested too deeply (more than " +
                                std::to_string(kMaxNesting) + " levels)");
    out.ok = false;
    out.fatal = true;
  };

  for (size_t i = 0; i < raw.size(); ++i) {
    size_t type = raw[i]->getType();
    const antlr4::Token *tok = raw[i].get();
    bool inParens = !openers.empty() && openers.back()->getType() != P::LBRACE;
    const antlr4::Token *opener = openers.empty() ? nullptr : openers.back();
    // Whether a `{` encloses the innermost open one.
    bool nestedBlock = false;
    for (size_t k = 0, braces = 0; k < openers.size(); ++k)
      if (openers[k]->getType() == P::LBRACE && ++braces == 2)
        nestedBlock = true;

    if (type == P::ERROR_CHAR) {
      std::string text = tok->getText();
      unsigned char c = text.empty() ? 0 : static_cast<unsigned char>(text[0]);
      if (c < 0x20 || c == 0x7F) {
        char hex[16];
        std::snprintf(hex, sizeof(hex), "U+%04X", c);
        text = hex;
      } else {
        text = "'" + text + "'";
      }
      rep.error(rep.loc(tok), "unexpected character " + text);
      out.ok = false;
      // A binary or badly encoded file: stop before printing its every byte.
      if (++lexErrors >= kMaxLexErrors) {
        rep.errorNoLoc("too many errors; is this a Hebb source file?");
        out.fatal = true;
        return out;
      }
      continue;
    }
    if (type == P::UNTERMINATED_STRING) {
      rep.error(rep.loc(tok),
                "string is not closed before the end of the line");
      ++lexErrors;
      out.ok = false;
      // Parse on as if it were closed, so that this is the only error.
      if (auto *writable = dynamic_cast<antlr4::WritableToken *>(raw[i].get()))
        writable->setType(P::STRING);
      type = P::STRING;
    }
    if (type == P::NL) {
      if (inParens || isSep(prevType) || continuesLine(prevType) ||
          nextType[i + 1] == P::LBRACE || nextType[i + 1] == P::ELSE)
        continue;
    }
    // Exactly one separator between two items (see Hebb.g4).
    if (isSep(type)) {
      if (isSep(prevType) || prevType == P::LBRACE ||
          nextNonSep[i + 1] == P::RBRACE ||
          nextNonSep[i + 1] == antlr4::Token::EOF)
        continue;
    }

    // Nesting that the parser would recurse on.
    switch (type) {
    case P::LPAREN:
    case P::LBRACK:
    case P::LBRACE:
      openers.push_back(tok);
      if (openers.size() > kMaxNesting) {
        tooDeep(tok, type == P::LBRACE ? "blocks" : "expression");
        return out;
      }
      break;
    case P::RPAREN:
    case P::RBRACK:
    case P::RBRACE: {
      size_t open = type == P::RPAREN   ? P::LPAREN
                    : type == P::RBRACK ? P::LBRACK
                                        : P::LBRACE;
      // A `}` also closes any bracket left open inside its block, so one
      // missing `)` does not swallow the newlines of the rest of the file.
      auto it = openers.end();
      while (it != openers.begin() && (*(it - 1))->getType() != open &&
             (type == P::RBRACE || (*(it - 1))->getType() != P::LBRACE))
        --it;
      if (it != openers.begin() && (*(it - 1))->getType() == open)
        openers.erase(it - 1, openers.end());
      break;
    }
    default:
      break;
    }
    // The parser recurses once per prefix, `^` or `?` operator, and these
    // nest through parentheses (`-(-(-(...`), so they are counted per
    // statement rather than per run.
    bool prefix = (type == P::MINUS || type == P::PLUS || type == P::NOT) &&
                  !endsOperand(prevType);
    if (prefix || type == P::POW || type == P::QUESTION)
      ++recursiveOps;
    if (type == P::NL || type == P::SEMI || type == P::LBRACE ||
        type == P::RBRACE)
      recursiveOps = 0;
    if (recursiveOps > kMaxRecursiveOps) {
      rep.error(rep.loc(tok), "expression too complex (more than " +
                                  std::to_string(kMaxRecursiveOps) +
                                  " prefix, '^' and '?' operators in one "
                                  "statement)");
      out.ok = false;
      out.fatal = true;
      return out;
    }

    out.openerBefore.push_back(opener);
    out.nestedBlock.push_back(nestedBlock);
    out.tokens.push_back(std::move(raw[i]));
    prevType = type;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Syntax errors
//===----------------------------------------------------------------------===//

/// ANTLR's recovery with messages in plain words.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  ErrorStrategy(Reporter &rep, const antlr4::dfa::Vocabulary &vocabulary,
                const std::vector<const antlr4::Token *> &tokens,
                const FilteredTokens &filtered)
      : rep(rep), vocabulary(vocabulary), tokens(tokens),
        openerBefore(filtered.openerBefore), nestedBlock(filtered.nestedBlock) {
  }

protected:
  void
  reportNoViableAlternative(antlr4::Parser *parser,
                            const antlr4::NoViableAltException &e) override {
    const antlr4::Token *tok = e.getOffendingToken();
    if (tok != e.getStartToken() && tok->getTokenIndex() > 0) {
      // Prediction failed past the first token of the construct, so the
      // expected set at its start would mislead.
      report(tok, "unexpected " + describeToken(tok) + " after " +
                      describeToken(previous(parser, tok)));
      return;
    }
    reportUnexpected(tok, e.getExpectedTokens());
  }
  void reportInputMismatch(antlr4::Parser *,
                           const antlr4::InputMismatchException &e) override {
    reportUnexpected(e.getOffendingToken(), e.getExpectedTokens());
  }
  void
  reportFailedPredicate(antlr4::Parser *,
                        const antlr4::FailedPredicateException &e) override {
    const antlr4::Token *tok = e.getOffendingToken();
    report(tok, "unexpected " + describeToken(tok));
  }
  void reportUnwantedToken(antlr4::Parser *parser) override {
    if (inErrorRecoveryMode(parser))
      return;
    beginErrorCondition(parser);
    reportUnexpected(parser->getCurrentToken(), getExpectedTokens(parser));
  }
  void reportMissingToken(antlr4::Parser *parser) override {
    if (inErrorRecoveryMode(parser))
      return;
    beginErrorCondition(parser);
    const antlr4::Token *tok = parser->getCurrentToken();
    antlr4::misc::IntervalSet expected = getExpectedTokens(parser);
    if (std::string closing =
            closingMessage(tok, expected, /*braceMustBeExpected=*/true);
        !closing.empty()) {
      report(tok, "expected " + closing);
      return;
    }
    report(tok, "expected " + describeExpected(vocab(), expected) + " before " +
                    describeToken(tok));
  }

private:
  Reporter &rep;
  const antlr4::dfa::Vocabulary &vocabulary;
  const std::vector<const antlr4::Token *> &tokens;
  const std::vector<const antlr4::Token *> &openerBefore;
  const std::vector<bool> &nestedBlock;

  const antlr4::dfa::Vocabulary &vocab() const { return vocabulary; }

  /// Reports the error and abandons the parse: after ANTLR's recovery the
  /// next errors are mostly echoes of the first (a skipped `{` makes every
  /// later item "unexpected"), so one accurate message beats several.
  [[noreturn]] void report(const antlr4::Token *tok,
                           const std::string &message) {
    rep.error(where(tok), message);
    throw StopParsing();
  }

  /// Errors at the end of the file or of a line point just past the last
  /// token, where something is missing.
  ast::Loc where(const antlr4::Token *tok) {
    if (tok->getType() == antlr4::Token::EOF) {
      size_t i = tok->getTokenIndex();
      while (i > 0 && i - 1 < tokens.size()) {
        const antlr4::Token *prev = tokens[--i];
        if (prev->getType() != HebbParser::NL)
          return rep.locAfter(prev);
      }
    }
    return rep.loc(tok);
  }

  const antlr4::Token *previous(antlr4::Parser *parser,
                                const antlr4::Token *tok) {
    size_t i = tok->getTokenIndex();
    if (i > 0 && i - 1 < tokens.size())
      return tokens[i - 1];
    return parser->getCurrentToken();
  }

  /// "'}' to close the block opened at 3:14" when `tok` cannot continue the
  /// innermost open bracket and its closer is expected.
  std::string closingMessage(const antlr4::Token *tok,
                             const antlr4::misc::IntervalSet &expected,
                             bool braceMustBeExpected = false) {
    size_t i = tok->getTokenIndex();
    if (i >= openerBefore.size() || !openerBefore[i])
      return "";
    const antlr4::Token *opener = openerBefore[i];
    ast::Loc at = rep.loc(opener);
    std::string pos = std::to_string(at.line) + ":" + std::to_string(at.col);
    switch (opener->getType()) {
    case HebbParser::LBRACE:
      // Right after a separator `}` is not in the expected set (separators
      // before `}` are dropped), so the caller decides.
      if (!braceMustBeExpected ||
          expected.contains(static_cast<size_t>(HebbParser::RBRACE)))
        return "'}' to close the block opened at " + pos;
      break;
    case HebbParser::LPAREN:
      if (expected.contains(static_cast<size_t>(HebbParser::RPAREN)))
        return "')' to close the '(' at " + pos;
      break;
    case HebbParser::LBRACK:
      if (expected.contains(static_cast<size_t>(HebbParser::RBRACK)))
        return "']' to close the '[' at " + pos;
      break;
    }
    return "";
  }

  /// Tokens that begin a declaration or an item of some body: finding one
  /// where a `}` was expected means the `}` is missing.
  static bool startsItem(size_t type) {
    using P = HebbParser;
    switch (type) {
    case antlr4::Token::EOF:
    case P::IMPORT:
    case P::FUNC:
    case P::NEURON:
    case P::SYNAPSE:
    case P::NETWORK:
    case P::VAR:
    case P::IN:
    case P::SIGNAL:
    case P::INTEGRATE:
    case P::SPIKE:
    case P::RESET:
    case P::REFRACTORY:
    case P::UPDATE:
    case P::ON:
    case P::CONSTRAIN:
    case P::POPULATION:
    case P::LET:
    case P::PROJECTION:
    case P::RECORD:
    case P::RUN:
    case P::REPEAT:
    case P::PHASE:
    case P::CONNECT:
    case P::INIT:
    case P::NO_SELF:
      return true;
    default:
      return false;
    }
  }

  void reportUnexpected(const antlr4::Token *tok,
                        const antlr4::misc::IntervalSet &expected) {
    std::string what = "unexpected " + describeToken(tok);
    size_t type = tok->getType();
    size_t i = tok->getTokenIndex();
    if (type == HebbParser::RBRACE && i < openerBefore.size() &&
        !openerBefore[i]) {
      report(tok, "unexpected '}' with no open block to close");
      return;
    }
    // An unclosed bracket: name it rather than listing what could follow.
    std::string closing = closingMessage(tok, expected);
    bool brace = closing.rfind("'}'", 0) == 0;
    // A keyword that starts an item here means the `}` before it is missing,
    // unless this is the outermost block, where the item is merely out of
    // place (a `var` in a network).
    bool topLevel = type == antlr4::Token::EOF || type == HebbParser::IMPORT ||
                    type == HebbParser::FUNC || type == HebbParser::NEURON ||
                    type == HebbParser::SYNAPSE || type == HebbParser::NETWORK;
    bool missingBrace =
        brace && startsItem(type) &&
        (topLevel || (i < nestedBlock.size() && nestedBlock[i]));
    // For `(` and `[`, only when little else was possible: `f(= 3)` wants
    // a name more than a `)`.
    bool missingParen = false;
    if (!closing.empty() && !brace) {
      size_t others = 0;
      for (ssize_t t : expected.toList())
        others += !isOperator(static_cast<size_t>(t)) &&
                  t != static_cast<ssize_t>(HebbParser::COMMA);
      missingParen = others <= 1 || startsItem(type) ||
                     type == HebbParser::RBRACE || type == HebbParser::LBRACE;
    }
    if (!closing.empty() && (missingParen || missingBrace)) {
      report(tok, what + "; expected " + closing);
      return;
    }
    // In a model body a name starts `dx/dt = ...`; a statement there is a
    // common slip.
    if (expected.size() == 1 &&
        expected.contains(static_cast<size_t>(HebbParser::DIV))) {
      report(tok, what + "; a model body holds declarations and equations "
                         "'dx/dt = ...'; statements belong in update, reset "
                         "or on blocks");
      return;
    }
    report(tok, what + "; expected " + describeExpected(vocab(), expected));
  }
};

//===----------------------------------------------------------------------===//
// Parse tree to AST
//===----------------------------------------------------------------------===//

using namespace hebb::ast;
using P = HebbParser;

/// Converts the parse tree of a file without syntax errors to the AST.
class Builder {
public:
  Builder(Reporter &rep, uint32_t fileId) : rep(rep), fileId(fileId) {}

  File build(P::FileContext *ctx);

private:
  Reporter &rep;
  uint32_t fileId;
  unsigned exprDepth = 0;
  unsigned stmtDepth = 0;
  bool reportedDepth = false;

  /// Counts one level of nesting for the lifetime of the guard.
  struct DepthGuard {
    unsigned &depth;
    explicit DepthGuard(unsigned &counter) : depth(counter) { ++depth; }
    ~DepthGuard() { --depth; }
  };

  Loc loc(antlr4::Token *tok) const { return rep.loc(tok); }
  Loc loc(antlr4::tree::TerminalNode *node) const { return rep.loc(node); }
  Loc loc(antlr4::ParserRuleContext *ctx) const { return rep.loc(ctx); }
  void error(Loc l, const std::string &message) { rep.error(l, message); }
  bool tooDeep(Loc l);

  static std::string text(antlr4::tree::TerminalNode *node) {
    return node->getText();
  }
  static std::string text(antlr4::ParserRuleContext *ctx) {
    return ctx->getStart()->getText();
  }

  // Declarations.
  void decl(P::DeclContext *ctx, File &file);
  std::vector<Param> params(P::ParamListContext *ctx);
  Model model(P::ModelDeclContext *ctx);
  void modelItem(P::ModelItemContext *ctx, Model &m);
  Network network(P::NetworkDeclContext *ctx);
  void netItem(P::NetItemContext *ctx, Network &net);
  ScheduleItem schedule(P::ScheduleItemContext *ctx);
  ModelUse modelUse(P::ModelUseContext *ctx);
  PopRef popRef(P::PopRefContext *ctx);
  InitStmt init(P::InitItemContext *ctx);
  void projItem(P::ProjItemContext *ctx, Projection &proj);

  // Statements and expressions.
  Block block(P::BlockContext *ctx);
  StmtPtr stmt(P::StmtContext *ctx);
  ExprPtr lvalue(P::LvalueContext *ctx);
  ExprPtr expr(P::ExprContext *ctx);
  ExprPtr primary(P::PrimaryContext *ctx);
  ExprPtr binary(antlr4::Token *op, P::ExprContext *lhs, P::ExprContext *rhs);
  UnitText unit(P::UnitContext *ctx);
  std::string stringValue(antlr4::tree::TerminalNode *node);
  double numberValue(antlr4::Token *tok);
};

bool Builder::tooDeep(Loc l) {
  if (exprDepth <= kMaxTreeDepth && stmtDepth <= kMaxNesting)
    return false;
  if (!reportedDepth)
    error(l, exprDepth > kMaxTreeDepth
                 ? "expression nested too deeply (more than " +
                       std::to_string(kMaxTreeDepth) + " levels)"
                 : "statements nested too deeply (more than " +
                       std::to_string(kMaxNesting) + " levels)");
  reportedDepth = true;
  return true;
}

File Builder::build(P::FileContext *ctx) {
  File file;
  file.fileId = fileId;
  for (P::DeclContext *d : ctx->decl())
    decl(d, file);
  return file;
}

void Builder::decl(P::DeclContext *ctx, File &file) {
  if (auto *c = dynamic_cast<P::ImportDeclContext *>(ctx)) {
    file.imports.push_back({stringValue(c->STRING()), loc(c)});
  } else if (auto *c = dynamic_cast<P::FuncDeclContext *>(ctx)) {
    Func f;
    f.name = text(c->IDENT(0));
    f.loc = loc(c);
    for (size_t i = 1; i < c->IDENT().size(); ++i)
      f.params.push_back(text(c->IDENT(i)));
    f.body = expr(c->expr());
    file.funcs.push_back(std::move(f));
  } else if (auto *c = dynamic_cast<P::ModelDeclContext *>(ctx)) {
    file.models.push_back(model(c));
  } else if (auto *c = dynamic_cast<P::NetworkDeclContext *>(ctx)) {
    file.networks.push_back(network(c));
  }
}

std::vector<Param> Builder::params(P::ParamListContext *ctx) {
  std::vector<Param> out;
  if (!ctx)
    return out;
  for (P::ParamContext *p : ctx->param()) {
    Param param;
    param.name = text(p->anyName());
    param.loc = loc(p);
    if (p->unit()) {
      param.hasUnit = true;
      param.unit = unit(p->unit());
    }
    param.value = expr(p->expr());
    out.push_back(std::move(param));
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

Model Builder::model(P::ModelDeclContext *ctx) {
  Model m;
  m.kind = ctx->kind->getType() == P::NEURON ? ModelKind::Neuron
                                             : ModelKind::Synapse;
  m.name = text(ctx->IDENT());
  m.loc = loc(ctx);
  m.params = params(ctx->paramList());
  for (P::ModelItemContext *item : ctx->modelBody()->modelItem())
    modelItem(item, m);
  return m;
}

void Builder::modelItem(P::ModelItemContext *ctx, Model &m) {
  // The AST has one slot for these; a second one is an error here.
  auto once = [&](bool seen, const char *what) {
    if (seen)
      error(loc(ctx),
            std::string("'") + what + "' appears twice in '" + m.name + "'");
    return !seen;
  };

  if (auto *c = dynamic_cast<P::VarItemContext *>(ctx)) {
    VarDecl v;
    v.name = text(c->IDENT());
    v.loc = loc(c->IDENT());
    if (c->unit()) {
      v.hasUnit = true;
      v.unit = unit(c->unit());
    }
    v.init = expr(c->expr());
    if (c->scope) {
      std::string scope = text(c->scope);
      if (scope == "pre")
        v.scope = VarScope::Pre;
      else if (scope == "post")
        v.scope = VarScope::Post;
      else if (scope == "proj")
        v.scope = VarScope::Proj;
      else
        error(loc(c->scope), "unknown variable scope '@" + scope +
                                 "'; expected @pre, @post or @proj");
    }
    m.vars.push_back(std::move(v));
  } else if (auto *c = dynamic_cast<P::InputItemContext *>(ctx)) {
    InputDecl in;
    in.name = text(c->IDENT());
    in.loc = loc(c->IDENT());
    if (c->unit()) {
      in.hasUnit = true;
      in.unit = unit(c->unit());
    }
    m.inputs.push_back(std::move(in));
  } else if (auto *c = dynamic_cast<P::SignalItemContext *>(ctx)) {
    m.signals.push_back({text(c->IDENT()), loc(c->IDENT())});
  } else if (auto *c = dynamic_cast<P::OdeItemContext *>(ctx)) {
    OdeDecl ode;
    std::string lhs = text(c->IDENT());
    ode.loc = loc(c->IDENT());
    if (lhs.size() < 2 || lhs[0] != 'd')
      error(ode.loc, "an equation must be written 'dx/dt = ...'; '" + lhs +
                         "' does not name a derivative");
    else
      ode.var = lhs.substr(1);
    if (text(c->odeDen) != "dt")
      error(loc(c->odeDen), "an equation must be written 'd" + ode.var +
                                "/dt = ...', not '" + lhs + "/" +
                                text(c->odeDen) + "'");
    ode.rhs = expr(c->expr());
    if (c->method) {
      ode.method = text(c->method);
      ode.methodLoc = loc(c->method);
    }
    m.odes.push_back(std::move(ode));
  } else if (auto *c = dynamic_cast<P::IntegrateItemContext *>(ctx)) {
    if (once(!m.integrate.empty(), "integrate")) {
      m.integrate = text(c->method);
      m.integrateLoc = loc(c->method);
    }
  } else if (auto *c = dynamic_cast<P::SpikeItemContext *>(ctx)) {
    if (once(m.spikeWhen != nullptr, "spike when")) {
      m.spikeLoc = loc(c);
      m.spikeWhen = expr(c->expr());
    }
  } else if (auto *c = dynamic_cast<P::ResetItemContext *>(ctx)) {
    if (once(m.hasReset, "reset")) {
      m.hasReset = true;
      m.reset = block(c->block());
    }
  } else if (auto *c = dynamic_cast<P::RefractoryItemContext *>(ctx)) {
    if (once(m.refractory != nullptr, "refractory"))
      m.refractory = expr(c->expr());
  } else if (auto *c = dynamic_cast<P::UpdateItemContext *>(ctx)) {
    if (once(m.hasUpdate, "update")) {
      m.hasUpdate = true;
      m.updateLoc = loc(c);
      m.update = block(c->block());
    }
  } else if (auto *c = dynamic_cast<P::HandlerItemContext *>(ctx)) {
    Handler h;
    h.loc = loc(c);
    if (c->PRE()) {
      h.kind = HandlerKind::Pre;
    } else if (c->POST()) {
      h.kind = HandlerKind::Post;
    } else {
      h.kind = HandlerKind::End;
      h.phase = c->phase->getText();
    }
    h.body = block(c->block());
    m.handlers.push_back(std::move(h));
  } else if (auto *c = dynamic_cast<P::ConstrainItemContext *>(ctx)) {
    Constraint con;
    con.var = text(c->IDENT(0));
    con.loc = loc(c);
    if (c->IN()) {
      con.lo = expr(c->expr(0));
      con.hi = expr(c->expr(1));
    } else if (c->form->getText() == "sign") {
      con.sign = true;
    } else {
      error(loc(c->form), "expected 'in [lo, hi]' or 'sign' after 'constrain " +
                              con.var + "', found '" + c->form->getText() +
                              "'");
    }
    m.constraints.push_back(std::move(con));
  }
}

//===----------------------------------------------------------------------===//
// Networks
//===----------------------------------------------------------------------===//

Network Builder::network(P::NetworkDeclContext *ctx) {
  Network net;
  net.name = text(ctx->IDENT());
  net.loc = loc(ctx);
  net.params = params(ctx->paramList());
  for (P::NetItemContext *item : ctx->networkBody()->netItem())
    netItem(item, net);
  return net;
}

void Builder::netItem(P::NetItemContext *ctx, Network &net) {
  if (auto *c = dynamic_cast<P::PopulationItemContext *>(ctx)) {
    Population pop;
    pop.name = text(c->IDENT());
    pop.loc = loc(c);
    pop.size = expr(c->expr());
    pop.model = modelUse(c->modelUse());
    if (c->popBody())
      for (P::InitItemContext *i : c->popBody()->initItem())
        pop.inits.push_back(init(i));
    net.populations.push_back(std::move(pop));
  } else if (auto *c = dynamic_cast<P::LetItemContext *>(ctx)) {
    SliceDecl slice;
    slice.name = text(c->IDENT());
    slice.loc = loc(c);
    slice.of = popRef(c->popRef());
    if (!slice.of.begin)
      error(slice.of.loc, "'let' names a slice of a population, as in 'let " +
                              slice.name + " = " + slice.of.name + "[0:10]'");
    net.slices.push_back(std::move(slice));
  } else if (auto *c = dynamic_cast<P::ProjectionItemContext *>(ctx)) {
    Projection proj;
    proj.name = text(c->IDENT());
    proj.loc = loc(c);
    proj.pre = popRef(c->popRef(0));
    proj.post = popRef(c->popRef(1));
    proj.synapse = modelUse(c->modelUse());
    if (c->projBody())
      for (P::ProjItemContext *item : c->projBody()->projItem())
        projItem(item, proj);
    net.projections.push_back(std::move(proj));
  } else if (auto *c = dynamic_cast<P::RecordItemContext *>(ctx)) {
    Record rec;
    rec.object = popRef(c->popRef());
    rec.field = text(c->anyName());
    rec.loc = loc(c);
    if (c->expr())
      rec.every = expr(c->expr());
    if (c->phase) {
      rec.atEnd = c->phase->getText();
      rec.atEndLoc = loc(c->phase);
    }
    net.records.push_back(std::move(rec));
  } else if (auto *c = dynamic_cast<P::NetSignalItemContext *>(ctx)) {
    SignalDecl sig;
    sig.name = text(c->IDENT());
    sig.loc = loc(c->IDENT());
    sig.value = expr(c->expr());
    net.signals.push_back(std::move(sig));
  } else if (auto *c = dynamic_cast<P::ScheduleNetItemContext *>(ctx)) {
    net.schedule.push_back(schedule(c->scheduleItem()));
  }
}

ScheduleItem Builder::schedule(P::ScheduleItemContext *ctx) {
  auto make = [&](ScheduleKind kind, P::ExprContext *value) {
    ScheduleItem item{kind, loc(ctx), {}, {}, {}, {}};
    if (value)
      item.value = expr(value);
    return item;
  };
  if (auto *c = dynamic_cast<P::RunItemContext *>(ctx))
    return make(ScheduleKind::Run, c->expr());
  if (auto *c = dynamic_cast<P::RepeatItemContext *>(ctx)) {
    ScheduleItem item = make(ScheduleKind::Repeat, c->expr());
    for (P::ScheduleItemContext *sub : c->scheduleBody()->scheduleItem())
      item.body.push_back(schedule(sub));
    return item;
  }
  if (auto *c = dynamic_cast<P::AtItemContext *>(ctx)) {
    ScheduleItem item = make(ScheduleKind::At, c->expr());
    item.assigns = block(c->block());
    return item;
  }
  if (auto *c = dynamic_cast<P::PhaseItemContext *>(ctx)) {
    ScheduleItem item = make(ScheduleKind::Phase, c->expr());
    item.name = text(c->IDENT());
    item.assigns = block(c->block());
    return item;
  }
  if (auto *c = dynamic_cast<P::SettlePhaseItemContext *>(ctx)) {
    ScheduleItem item = make(ScheduleKind::Phase, nullptr);
    item.name = text(c->IDENT(0));
    item.untilSettled = true;
    if (c->until->getText() != "until" || c->settled->getText() != "settled")
      error(loc(c->until), "a phase runs for a time ('phase " + item.name +
                               " 20 ms') or until its state settles "
                               "('phase " +
                               item.name +
                               " until settled(tol = 1e-4, max = 200 "
                               "steps)')");
    for (P::ArgContext *arg : c->callArgs()->arg()) {
      if (!arg->anyName()) {
        error(loc(arg), "the arguments of 'settled' are named: "
                        "'settled(tol = 1e-4, max = 200 steps)'");
        continue;
      }
      item.settle.push_back(
          {text(arg->anyName()), loc(arg), expr(arg->expr())});
    }
    item.assigns = block(c->block());
    return item;
  }
  auto *c = dynamic_cast<P::EveryItemContext *>(ctx);
  ScheduleItem item = make(ScheduleKind::Every, c ? c->expr() : nullptr);
  if (c)
    item.assigns = block(c->block());
  return item;
}

ModelUse Builder::modelUse(P::ModelUseContext *ctx) {
  ModelUse use;
  use.model = text(ctx->IDENT());
  use.loc = loc(ctx);
  if (!ctx->callArgs())
    return use;
  for (P::ArgContext *arg : ctx->callArgs()->arg()) {
    if (!arg->anyName()) {
      error(loc(arg), "arguments of model '" + use.model +
                          "' must be named, as in '" + use.model +
                          "(name = value)'");
      continue;
    }
    use.args.push_back({text(arg->anyName()), loc(arg), expr(arg->expr())});
  }
  return use;
}

PopRef Builder::popRef(P::PopRefContext *ctx) {
  PopRef ref;
  ref.name = text(ctx->IDENT());
  ref.loc = loc(ctx);
  if (ctx->LBRACK()) {
    ref.begin = expr(ctx->expr(0));
    ref.end = expr(ctx->expr(1));
  }
  return ref;
}

InitStmt Builder::init(P::InitItemContext *ctx) {
  return {text(ctx->IDENT()), loc(ctx->IDENT()), expr(ctx->expr())};
}

void Builder::projItem(P::ProjItemContext *ctx, Projection &proj) {
  if (auto *c = dynamic_cast<P::ConnectItemContext *>(ctx)) {
    if (proj.hasConnect) {
      error(loc(c), "projection '" + proj.name + "' has two 'connect' rules");
      return;
    }
    proj.hasConnect = true;
    ConnectSpec &spec = proj.connect;
    spec.loc = loc(c);
    if (c->NO_SELF()) // `connect all no_self` reads as one rule
      proj.noSelf = true;
    if (c->ALL()) {
      spec.kind = ConnectKind::All;
    } else if (c->ONE_TO_ONE()) {
      spec.kind = ConnectKind::OneToOne;
    } else if (c->STRING()) {
      spec.kind = ConnectKind::File;
      spec.file = stringValue(c->STRING());
      if (c->how->getText() != "from")
        error(loc(c->how), "expected 'from' before the file name, found '" +
                               c->how->getText() + "'");
    } else {
      std::string how = c->how->getText();
      spec.value = expr(c->expr());
      if (how == "p")
        spec.kind = ConnectKind::Prob;
      else if (how == "in_degree")
        spec.kind = ConnectKind::InDegree;
      else if (how == "out_degree")
        spec.kind = ConnectKind::OutDegree;
      else if (how == "total")
        spec.kind = ConnectKind::Total;
      else
        error(loc(c->how), "unknown connection rule '" + how +
                               "'; expected all, one_to_one, p = ..., "
                               "in_degree = ..., out_degree = ..., total = "
                               "... or from \"file.npy\"");
    }
  } else if (auto *c = dynamic_cast<P::DelayItemContext *>(ctx)) {
    if (proj.delay)
      error(loc(c), "projection '" + proj.name + "' has two delays");
    else
      proj.delay = expr(c->expr());
  } else if (auto *c = dynamic_cast<P::ProjInitItemContext *>(ctx)) {
    proj.inits.push_back(init(c->initItem()));
  } else if (dynamic_cast<P::NoSelfItemContext *>(ctx)) {
    proj.noSelf = true;
  } else if (auto *c = dynamic_cast<P::SettingItemContext *>(ctx)) {
    proj.settings.push_back({text(c->IDENT()), loc(c), expr(c->expr())});
  }
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

Block Builder::block(P::BlockContext *ctx) {
  Block out;
  for (P::StmtContext *s : ctx->stmt())
    if (StmtPtr st = stmt(s))
      out.push_back(std::move(st));
  return out;
}

StmtPtr Builder::stmt(P::StmtContext *ctx) {
  DepthGuard guard(stmtDepth);
  if (tooDeep(loc(ctx)))
    return nullptr;
  if (auto *c = dynamic_cast<P::AssignStmtContext *>(ctx)) {
    auto s = std::make_unique<Stmt>(StmtKind::Assign, loc(c));
    s->target = lvalue(c->lvalue());
    s->op = c->op->getText();
    s->value = expr(c->expr());
    return s;
  }
  auto *c = dynamic_cast<P::IfStmtContext *>(ctx);
  if (!c)
    return nullptr;
  // `if a {} else if b {} else {}`: the grammar loops over the branches;
  // the AST nests each `else if` in the previous If's else body.
  size_t conds = c->expr().size();
  auto top = std::make_unique<Stmt>(StmtKind::If, loc(c));
  Stmt *cur = top.get();
  for (size_t i = 0; i < conds; ++i) {
    if (i > 0) {
      auto next = std::make_unique<Stmt>(StmtKind::If, loc(c->IF(i)));
      Stmt *raw = next.get();
      cur->elseBody.push_back(std::move(next));
      cur = raw;
      // Chained else-ifs nest in the AST, so they count as depth there.
      ++stmtDepth;
    }
    if (tooDeep(loc(c->IF(i))))
      break;
    cur->cond = expr(c->expr(i));
    cur->thenBody = block(c->block(i));
  }
  if (c->block().size() > conds && !reportedDepth)
    cur->elseBody = block(c->block(conds));
  stmtDepth -= static_cast<unsigned>(conds > 0 ? conds - 1 : 0);
  return top;
}

ExprPtr Builder::lvalue(P::LvalueContext *ctx) {
  std::string object = text(ctx->objName());
  if (!ctx->anyName()) {
    if (object == "pre" || object == "post")
      error(loc(ctx), "'" + object + "' needs a field: '" + object + ".x'");
    auto e = std::make_unique<Expr>(ExprKind::Name, loc(ctx));
    e->name = object;
    return e;
  }
  auto e = std::make_unique<Expr>(ExprKind::Member, loc(ctx));
  e->name = object;
  e->member = text(ctx->anyName());
  return e;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

ExprPtr Builder::expr(P::ExprContext *ctx) {
  if (!ctx)
    return std::make_unique<Expr>(ExprKind::Number, Loc{fileId, 0, 0});
  DepthGuard guard(exprDepth);
  if (tooDeep(loc(ctx)))
    return std::make_unique<Expr>(ExprKind::Number, loc(ctx));

  if (auto *c = dynamic_cast<P::PrimaryExprContext *>(ctx))
    return primary(c->primary());
  if (auto *c = dynamic_cast<P::SignExprContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::Unary, loc(c->op));
    e->op = c->op->getText();
    e->args.push_back(expr(c->expr()));
    return e;
  }
  if (auto *c = dynamic_cast<P::NotExprContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::Unary, loc(c->NOT()));
    e->op = "not";
    e->args.push_back(expr(c->expr()));
    return e;
  }
  if (auto *c = dynamic_cast<P::PowExprContext *>(ctx))
    return binary(c->POW()->getSymbol(), c->expr(0), c->expr(1));
  if (auto *c = dynamic_cast<P::MulExprContext *>(ctx))
    return binary(c->op, c->expr(0), c->expr(1));
  if (auto *c = dynamic_cast<P::AddExprContext *>(ctx))
    return binary(c->op, c->expr(0), c->expr(1));
  if (auto *c = dynamic_cast<P::CmpExprContext *>(ctx))
    return binary(c->op, c->expr(0), c->expr(1));
  if (auto *c = dynamic_cast<P::AndExprContext *>(ctx))
    return binary(c->AND()->getSymbol(), c->expr(0), c->expr(1));
  if (auto *c = dynamic_cast<P::OrExprContext *>(ctx))
    return binary(c->OR()->getSymbol(), c->expr(0), c->expr(1));
  if (auto *c = dynamic_cast<P::CondExprContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::Conditional, loc(c->QUESTION()));
    for (size_t i = 0; i < 3; ++i)
      e->args.push_back(expr(c->expr(i)));
    return e;
  }
  return std::make_unique<Expr>(ExprKind::Number, loc(ctx));
}

// Binary expressions are located at their operator, where a unit mismatch
// is best pointed out.
ExprPtr Builder::binary(antlr4::Token *op, P::ExprContext *lhs,
                        P::ExprContext *rhs) {
  auto e = std::make_unique<Expr>(ExprKind::Binary, loc(op));
  e->op = op->getText();
  e->args.push_back(expr(lhs));
  e->args.push_back(expr(rhs));
  return e;
}

ExprPtr Builder::primary(P::PrimaryContext *ctx) {
  if (auto *c = dynamic_cast<P::NumberPrimaryContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::Number, loc(c));
    e->number = numberValue(c->NUMBER()->getSymbol());
    if (c->unit())
      e->unit = unit(c->unit());
    return e;
  }
  if (auto *c = dynamic_cast<P::BoolPrimaryContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::Bool, loc(c));
    e->boolean = c->TRUE() != nullptr;
    return e;
  }
  if (auto *c = dynamic_cast<P::StringPrimaryContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::String, loc(c));
    e->name = stringValue(c->STRING());
    return e;
  }
  if (auto *c = dynamic_cast<P::CallPrimaryContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::Call, loc(c));
    e->name = text(c->IDENT());
    for (P::ArgContext *arg : c->callArgs()->arg()) {
      if (arg->anyName())
        error(loc(arg), "named arguments are only allowed where a model is "
                        "used, as in 'LIF(tau_m = 10 ms)'");
      e->args.push_back(expr(arg->expr()));
    }
    return e;
  }
  if (auto *c = dynamic_cast<P::MemberPrimaryContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::Member, loc(c));
    e->name = text(c->objName());
    e->member = text(c->anyName());
    return e;
  }
  if (auto *c = dynamic_cast<P::NamePrimaryContext *>(ctx)) {
    auto e = std::make_unique<Expr>(ExprKind::Name, loc(c));
    e->name = c->getStart()->getText();
    return e;
  }
  if (auto *c = dynamic_cast<P::ParenPrimaryContext *>(ctx))
    return expr(c->expr());
  return std::make_unique<Expr>(ExprKind::Number, loc(ctx));
}

UnitText Builder::unit(P::UnitContext *ctx) {
  UnitText out;
  if (ctx->IDENT()) {
    out.push_back({text(ctx->IDENT()), 1, loc(ctx->IDENT())});
    return out;
  }
  // `[a*b/c^2]`: each `/` negates the exponent of the factor after it.
  std::vector<P::UnitFactorContext *> factors = ctx->unitFactor();
  for (size_t i = 0; i < factors.size(); ++i) {
    P::UnitFactorContext *f = factors[i];
    int sign = i > 0 && ctx->op[i - 1]->getType() == P::DIV ? -1 : 1;
    int exponent = 1;
    if (f->exp) {
      std::string digits = f->exp->getText();
      if (digits.find_first_not_of("0123456789") != std::string::npos ||
          digits.size() > 3) {
        error(loc(f->exp), "a unit's exponent must be a small whole number");
      } else {
        exponent = std::stoi(digits);
      }
      if (f->neg)
        exponent = -exponent;
    }
    if (f->base->getType() == P::NUMBER) {
      // `[1/s]`: the 1 is only a placeholder numerator.
      if (f->base->getText() != "1")
        error(loc(f->base), "a unit may not contain the number '" +
                                f->base->getText() + "'; only 1, as in [1/s]");
      continue;
    }
    out.push_back({f->base->getText(), sign * exponent, loc(f->base)});
  }
  return out;
}

std::string Builder::stringValue(antlr4::tree::TerminalNode *node) {
  std::string raw = node->getText();
  std::string out;
  // Strip the quotes; the lexer guarantees both are there.
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    char next = raw[++i];
    if (next == '"' || next == '\\') {
      out += next;
    } else {
      Loc l = loc(node);
      l.col += static_cast<uint32_t>(i - 1);
      error(l, std::string("unknown escape '\\") + next +
                   "' in string; only \\\" and \\\\ are allowed");
    }
  }
  return out;
}

double Builder::numberValue(antlr4::Token *tok) {
  std::string digits = tok->getText();
  double value = std::strtod(digits.c_str(), nullptr);
  if (std::isinf(value))
    error(loc(tok), "number '" + digits + "' is too large");
  return value;
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

std::optional<ast::File> hebb::parseFile(const SourceManager &sources,
                                         uint32_t fileId,
                                         DiagnosticEngine &diags) {
  if (fileId >= sources.numFiles()) {
    diags.errorNoLoc("no such source file");
    return std::nullopt;
  }
  std::string text = sources.text(fileId);
  Reporter rep(fileId, diags);
  bool lexOk = sanitizeUtf8(text, rep);
  rep.index(text);

  try {
    antlr4::ANTLRInputStream input(text);
    HebbLexer lexer(&input);
    lexer.removeErrorListeners(); // ERROR_CHAR means it never errors anyway
    std::vector<std::unique_ptr<antlr4::Token>> raw;
    for (;;) {
      std::unique_ptr<antlr4::Token> tok = lexer.nextToken();
      bool eof = tok->getType() == antlr4::Token::EOF;
      raw.push_back(std::move(tok));
      if (eof)
        break;
    }

    FilteredTokens filtered = filterTokens(std::move(raw), rep);
    if (filtered.fatal)
      return std::nullopt;
    lexOk = lexOk && filtered.ok;

    // ListTokenSource takes the tokens but the objects stay where they are,
    // owned by the token stream, so error messages can look back at them.
    std::vector<const antlr4::Token *> view;
    for (const auto &tok : filtered.tokens)
      view.push_back(tok.get());
    antlr4::ListTokenSource source(std::move(filtered.tokens),
                                   sources.path(fileId));
    antlr4::CommonTokenStream stream(&source);

    HebbParser parser(&stream);
    parser.removeErrorListeners();
    parser.setErrorHandler(std::make_shared<ErrorStrategy>(
        rep, parser.getVocabulary(), view, filtered));

    HebbParser::FileContext *tree = nullptr;
    try {
      tree = parser.file();
    } catch (StopParsing &) {
      return std::nullopt; // reported
    }
    if (rep.errors() != 0 || !lexOk)
      return std::nullopt;

    Builder builder(rep, fileId);
    ast::File file = builder.build(tree);
    if (rep.errors() != 0)
      return std::nullopt;
    return file;
  } catch (std::exception &e) {
    diags.errorNoLoc(std::string("internal parser error: ") + e.what());
  } catch (...) {
    diags.errorNoLoc("internal parser error");
  }
  return std::nullopt;
}
