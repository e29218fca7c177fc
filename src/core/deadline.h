#pragma once
// The time budget of one piece of request work (issue 12): a point on the monotonic clock after which the
// work stops at its next check. Decoding checks it while libjpeg reads scans, the face pipeline before each
// stage and between faces; a model's forward pass cannot be interrupted, so work ends at most one forward
// pass (or one PNG/WebP decode) after the budget.
#include <limits>
#include <string_view>

namespace faceid {

class Deadline {
  public:
    Deadline() = default;  // never passes
    // `seconds` from now; 0 or less: never.
    static Deadline in(double seconds);

    bool passed() const;
    bool unlimited() const { return at_ == std::numeric_limits<double>::infinity(); }
    double budget_seconds() const { return budget_; }
    // Throws Error(kTimeBudgetExceeded) naming `stage` when the deadline has passed.
    void check(std::string_view stage) const;
    [[noreturn]] void exceeded(std::string_view stage) const;

  private:
    double at_ = std::numeric_limits<double>::infinity();  // monotonic_seconds()
    double budget_ = 0;
};

}  // namespace faceid
