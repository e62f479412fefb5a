// Hebb.g4 - The grammar of the Hebb language (docs: shared/spec/LANGUAGE.md).
//
// Newlines end statements. Rather than sprinkling `NL*` through every rule,
// the lexer emits every newline as an NL token and Parser.cpp filters the
// token stream before parsing: it drops NL inside (...) and [...], after a
// token that cannot end a statement (binary operators, `,`, `=`, `->`, `:`,
// `?`, `{`, ...) and before `{` and `else`; it drops any separator (NL or
// `;`) that follows another one or `{`, or that comes before `}` or the end
// of the file. What is left is exactly one `sep` between two items, so the
// decisions below need one or two tokens of lookahead and syntax errors can
// name what was expected.
//
// Unit names are not keywords: any name right after a number is its unit
// (`20 ms`, `200 steps`); semantic analysis knows which units exist.

grammar Hebb;

//===----------------------------------------------------------------------===//
// Files and declarations
//===----------------------------------------------------------------------===//

file : (decl (sep decl)*)? EOF ;

decl
  : IMPORT STRING                                          # importDecl
  | FUNC IDENT LPAREN (IDENT (COMMA IDENT)*)? RPAREN ASSIGN expr # funcDecl
  | kind=(NEURON | SYNAPSE) IDENT paramList? modelBody     # modelDecl
  | NETWORK IDENT paramList? networkBody                   # networkDecl
  ;

// `(tau = 20 ms, g: nS = 0, target = I)`
paramList : LPAREN (param (COMMA param)*)? RPAREN ;
param : anyName (COLON unit)? ASSIGN expr ;

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

modelBody : LBRACE (modelItem (sep modelItem)*)? RBRACE ;

modelItem
  : VAR IDENT (COLON unit)? ASSIGN expr (AT_SIGN scope=anyName)?  # varItem
  | IN IDENT (COLON unit)?                                    # inputItem
  | SIGNAL IDENT                                              # signalItem
  // `dx/dt = rhs [: method]`; the builder checks the `d` and the `dt`.
  | IDENT DIV odeDen=anyName ASSIGN expr (COLON method=anyName)? # odeItem
  | INTEGRATE method=anyName                                  # integrateItem
  | SPIKE WHEN expr                                           # spikeItem
  | RESET block                                               # resetItem
  | REFRACTORY expr                                           # refractoryItem
  | UPDATE block                                              # updateItem
  | ON (PRE | POST | END phase=IDENT) block                   # handlerItem
  // `constrain x in [lo, hi]` or `constrain x sign`.
  | CONSTRAIN IDENT (IN LBRACK expr COMMA expr RBRACK | form=IDENT) # constrainItem
  ;

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

block : LBRACE (stmt (sep stmt)*)? RBRACE ;

stmt
  : lvalue op=(ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN | DIV_ASSIGN) expr # assignStmt
  // `else if` is a loop, not a recursion, so long chains cannot blow the
  // parser's stack; the builder nests them.
  | IF expr block (ELSE IF expr block)* (ELSE block)?        # ifStmt
  ;

lvalue : objName (DOT anyName)? ;

//===----------------------------------------------------------------------===//
// Networks
//===----------------------------------------------------------------------===//

networkBody : LBRACE (netItem (sep netItem)*)? RBRACE ;

netItem
  : POPULATION IDENT LBRACK expr RBRACK COLON modelUse popBody? # populationItem
  | LET IDENT ASSIGN popRef                                   # letItem
  | PROJECTION IDENT COLON popRef ARROW popRef COLON modelUse projBody? # projectionItem
  | RECORD popRef DOT anyName (EVERY expr | AT END phase=IDENT)? # recordItem
  | SIGNAL IDENT ASSIGN expr                                  # netSignalItem
  | scheduleItem                                              # scheduleNetItem
  ;

scheduleItem
  : RUN expr                                                  # runItem
  | REPEAT expr scheduleBody                                  # repeatItem
  | AT expr block                                             # atItem
  | PHASE IDENT expr block                                    # phaseItem
  // `phase name until settled(tol = 1e-4, max = 200 steps) { ... }`; the
  // builder checks the two words.
  | PHASE IDENT until=IDENT settled=IDENT callArgs block      # settlePhaseItem
  | EVERY expr block                                          # everyItem
  ;

scheduleBody : LBRACE (scheduleItem (sep scheduleItem)*)? RBRACE ;

// `Model` or `Model(name = value, ...)`; positional arguments parse so that
// the builder can say they must be named.
modelUse : IDENT callArgs? ;

popRef : IDENT (LBRACK expr COLON expr RBRACK)? ;

popBody : LBRACE (initItem (sep initItem)*)? RBRACE ;

initItem : INIT IDENT ASSIGN expr ;

projBody : LBRACE (projItem (sep projItem)*)? RBRACE ;

projItem
  : CONNECT (ALL | ONE_TO_ONE | how=IDENT ASSIGN expr | how=IDENT STRING)
    NO_SELF?                                                  # connectItem
  | DELAY ASSIGN expr                                         # delayItem
  | initItem                                                  # projInitItem
  | NO_SELF                                                   # noSelfItem
  | IDENT ASSIGN expr                                         # settingItem
  ;

//===----------------------------------------------------------------------===//
// Expressions, loosest last. ANTLR gives earlier alternatives of a
// left-recursive rule higher precedence.
//===----------------------------------------------------------------------===//

expr
  : primary                                                   # primaryExpr
  | <assoc=right> expr POW expr                               # powExpr
  | op=(MINUS | PLUS) expr                                    # signExpr
  | expr op=(STAR | DIV) expr                                 # mulExpr
  | expr op=(PLUS | MINUS) expr                               # addExpr
  | expr op=(LT | LE | GT | GE | EQ | NE) expr                # cmpExpr
  | NOT expr                                                  # notExpr
  | expr AND expr                                             # andExpr
  | expr OR expr                                              # orExpr
  | <assoc=right> expr QUESTION expr COLON expr               # condExpr
  ;

primary
  : NUMBER unit?                                              # numberPrimary
  | (TRUE | FALSE)                                            # boolPrimary
  | STRING                                                    # stringPrimary
  | IDENT callArgs                                            # callPrimary
  | objName DOT anyName                                       # memberPrimary
  | (IDENT | KW_T | DT | INDEX)                                  # namePrimary
  | LPAREN expr RPAREN                                        # parenPrimary
  ;

callArgs : LPAREN (arg (COMMA arg)*)? RPAREN ;
arg : (anyName ASSIGN)? expr ;

objName : IDENT | PRE | POST ;

// `ms`, `[mV/ms]`, `[nS*mV]`, `[mV/ms^2]`, `[1/s]`.
unit : IDENT | LBRACK unitFactor (op+=(STAR | DIV) unitFactor)* RBRACK ;
unitFactor : base=(IDENT | NUMBER) (POW neg=MINUS? exp=NUMBER)? ;

// Where a keyword cannot be confused with anything else (parameter and
// argument names, member fields), it may be used as a name: `dt = 0.1 ms`,
// `every = 1 ms`, `pre.index`.
anyName
  : IDENT | IMPORT | NEURON | SYNAPSE | NETWORK | FUNC | VAR | IN | SIGNAL
  | DT | KW_T | ON | PRE | POST | SPIKE | WHEN | RESET | REFRACTORY | UPDATE
  | INTEGRATE | CONSTRAIN | POPULATION | PROJECTION | LET | CONNECT | INIT
  | RECORD | EVERY | AT | RUN | REPEAT | PHASE | END | IF | ELSE | AND | OR
  | NOT | TRUE | FALSE | DELAY | ALL | ONE_TO_ONE | NO_SELF | INDEX
  ;

sep : NL | SEMI ;

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

IMPORT : 'import' ;
NEURON : 'neuron' ;
SYNAPSE : 'synapse' ;
NETWORK : 'network' ;
FUNC : 'func' ;
VAR : 'var' ;
IN : 'in' ;
SIGNAL : 'signal' ;
DT : 'dt' ;
KW_T : 't' ;
ON : 'on' ;
PRE : 'pre' ;
POST : 'post' ;
SPIKE : 'spike' ;
WHEN : 'when' ;
RESET : 'reset' ;
REFRACTORY : 'refractory' ;
UPDATE : 'update' ;
INTEGRATE : 'integrate' ;
CONSTRAIN : 'constrain' ;
POPULATION : 'population' ;
PROJECTION : 'projection' ;
LET : 'let' ;
CONNECT : 'connect' ;
INIT : 'init' ;
RECORD : 'record' ;
EVERY : 'every' ;
AT : 'at' ;
RUN : 'run' ;
REPEAT : 'repeat' ;
PHASE : 'phase' ;
END : 'end' ;
IF : 'if' ;
ELSE : 'else' ;
AND : 'and' ;
OR : 'or' ;
NOT : 'not' ;
TRUE : 'true' ;
FALSE : 'false' ;
DELAY : 'delay' ;
ALL : 'all' ;
ONE_TO_ONE : 'one_to_one' ;
NO_SELF : 'no_self' ;
// `index` is not in the spec's keyword list but is a built-in name like `t`.
INDEX : 'index' ;

LPAREN : '(' ;
RPAREN : ')' ;
LBRACK : '[' ;
RBRACK : ']' ;
LBRACE : '{' ;
RBRACE : '}' ;
COMMA : ',' ;
SEMI : ';' ;
DOT : '.' ;
AT_SIGN : '@' ;
ARROW : '->' ;
PLUS_ASSIGN : '+=' ;
MINUS_ASSIGN : '-=' ;
STAR_ASSIGN : '*=' ;
DIV_ASSIGN : '/=' ;
EQ : '==' ;
NE : '!=' ;
LE : '<=' ;
GE : '>=' ;
LT : '<' ;
GT : '>' ;
ASSIGN : '=' ;
PLUS : '+' ;
MINUS : '-' ;
STAR : '*' ;
DIV : '/' ;
POW : '^' ;
QUESTION : '?' ;
COLON : ':' ;

NUMBER
  : DIGITS ('.' DIGITS?)? EXPONENT?
  | '.' DIGITS EXPONENT?
  ;
fragment DIGITS : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

IDENT : [A-Za-z_] [A-Za-z0-9_]* ;

// Escapes are checked by the builder, which can say which one is wrong.
STRING : '"' ( '\\' ~[\r\n] | ~[\\"\r\n] )* '"' ;
// A string that reaches the end of the line: reported, never parsed.
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~[\\"\r\n] )* '\\'? ;

NL : '\r'? '\n' | '\r' ;
COMMENT : '#' ~[\r\n]* -> skip ;
WS : [ \t\f]+ -> skip ;
// Anything else; reported by Parser.cpp, so the lexer itself never errors.
ERROR_CHAR : . ;
