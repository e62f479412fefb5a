//===- UnswitchLoops.cpp - Loop copies chosen by invariant conditions -----===//

#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBUNSWITCHLOOPS
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;

namespace {
/// Each unswitch doubles a loop nest; two bound it to four copies.
constexpr unsigned kMaxConditions = 2;

/// The first branch in `loop`, at any depth, whose condition is defined
/// outside it.
scf::IfOp invariantBranch(scf::ForOp loop) {
  scf::IfOp found;
  loop.getBody()->walk([&](scf::IfOp branch) {
    if (!loop.isDefinedOutsideOfLoop(branch.getCondition()))
      return WalkResult::advance();
    found = branch;
    return WalkResult::interrupt();
  });
  return found;
}

/// Replaces `branch` with the body of one of its sides.
void keepSide(scf::IfOp branch, bool thenSide) {
  IRRewriter rewriter(branch.getContext());
  Region &side = thenSide ? branch.getThenRegion() : branch.getElseRegion();
  if (side.empty()) { // an absent else, which yields nothing
    rewriter.eraseOp(branch);
    return;
  }
  Block *body = &side.front();
  Operation *yield = body->getTerminator();
  ValueRange results = yield->getOperands();
  rewriter.inlineBlockBefore(body, branch);
  rewriter.replaceOp(branch, results);
  rewriter.eraseOp(yield);
}

/// Puts `loop` into both sides of a branch on `branch`'s condition, each
/// copy keeping the matching side of `branch`; returns the two copies.
std::pair<scf::ForOp, scf::ForOp> unswitch(scf::ForOp loop, scf::IfOp branch) {
  scf::ForOp copies[2];
  auto copy = [&](bool thenSide) {
    return [&, thenSide](OpBuilder &b, Location loc) {
      IRMapping map;
      auto clone = cast<scf::ForOp>(b.clone(*loop, map));
      keepSide(cast<scf::IfOp>(map.lookup(branch.getOperation())), thenSide);
      scf::YieldOp::create(b, loc, clone.getResults());
      copies[thenSide ? 0 : 1] = clone;
    };
  };
  OpBuilder b(loop);
  auto choice = scf::IfOp::create(b, loop.getLoc(), branch.getCondition(),
                                  copy(true), copy(false));
  loop.replaceAllUsesWith(choice.getResults());
  loop.erase();
  return {copies[0], copies[1]};
}

struct UnswitchLoopsPass
    : public hebb::impl::HebbUnswitchLoopsBase<UnswitchLoopsPass> {
  void runOnOperation() override {
    // Outer loops first, so that a condition leaves every loop it is
    // invariant in; the count of conditions taken passes to inner loops.
    SmallVector<std::pair<scf::ForOp, unsigned>> work;
    auto pushInner = [&](Operation *parent, unsigned taken) {
      parent->walk([&](scf::ForOp loop) {
        if (loop->getParentOfType<scf::ForOp>() == dyn_cast<scf::ForOp>(parent))
          work.push_back({loop, taken});
      });
    };
    pushInner(getOperation(), 0);
    while (!work.empty()) {
      auto [loop, taken] = work.pop_back_val();
      scf::IfOp branch =
          taken < kMaxConditions ? invariantBranch(loop) : scf::IfOp();
      if (!branch) {
        pushInner(loop, taken);
        continue;
      }
      auto [thenLoop, elseLoop] = unswitch(loop, branch);
      work.push_back({thenLoop, taken + 1});
      work.push_back({elseLoop, taken + 1});
    }
  }
};
} // namespace
