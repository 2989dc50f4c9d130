// LRScheduler::state_dict / load_state_dict, keyed as Python's schedulers key their __dict__.
#include <limits>

#include "tensorgrad/optim/schedulers.h"

namespace tg::optim {

IValue LRScheduler::state_dict() const {
  IValue::List lrs(last_lr_.begin(), last_lr_.end());
  return IValue::dict({{"last_epoch", static_cast<int64_t>(step_count_)},
                       {"_step_count", static_cast<int64_t>(step_count_) + 1},
                       {"_last_lr", IValue::list(std::move(lrs))}});
}

void LRScheduler::load_state_dict(const IValue& state) {
  TG_CHECK(state.isGenericDict(), "scheduler state: a ", state.tagKind(), ", not a dict");
  const IValue* epoch = state.find("last_epoch");
  TG_CHECK(epoch && epoch->isInt() && epoch->toInt() >= 0 &&
               epoch->toInt() <= std::numeric_limits<unsigned>::max(),
           "scheduler state: 'last_epoch' is missing or not a count");
  std::vector<double> lrs = get_current_lrs();
  if (const IValue* last = state.find("_last_lr")) {
    TG_CHECK(last->isGenericList() || last->isDoubleList(), "scheduler state: '_last_lr' is a ",
             last->tagKind(), ", not a list");
    std::vector<double> given;
    if (last->isDoubleList()) {
      given = last->toDoubleList();
    } else {
      for (const auto& v : last->toList()) {
        TG_CHECK(v.isDouble() || v.isInt(), "scheduler state: '_last_lr' holds a ", v.tagKind());
        given.push_back(v.isDouble() ? v.toDouble() : static_cast<double>(v.toInt()));
      }
    }
    TG_CHECK(given.size() == lrs.size(), "scheduler state: ", given.size(),
             " rates for an optimizer with ", lrs.size(), " param groups");
    lrs = std::move(given);
  }
  step_count_ = static_cast<unsigned>(epoch->toInt());
  last_lr_ = std::move(lrs);
}

}  // namespace tg::optim
