#include "core/deadline.h"

#include "core/clock.h"
#include "core/error.h"

#include <cmath>
#include <string>

namespace faceid {

Deadline Deadline::in(double seconds) {
    Deadline deadline;
    if (seconds > 0 && std::isfinite(seconds)) {
        deadline.at_ = monotonic_seconds() + seconds;
        deadline.budget_ = seconds;
    }
    return deadline;
}

bool Deadline::passed() const {
    return !unlimited() && monotonic_seconds() > at_;
}

void Deadline::check(std::string_view stage) const {
    if (passed()) exceeded(stage);
}

void Deadline::exceeded(std::string_view stage) const {
    throw Error(ErrorCode::kTimeBudgetExceeded,
                "The photo took longer than the time budget of " + std::to_string(budget_) +
                    " s to process (stopped at " + std::string(stage) +
                    "); send a smaller photo or one with fewer faces.",
                {{"stage", stage}, {"budget_seconds", budget_}});
}

}  // namespace faceid
