#pragma once
// Serialises changes to one person's templates across services: registration (add a template, drop the
// excess) and corrections (merge, move) each read the person's faces, decide, then write; two of them on
// the same person at once could both decide from the same count and leave the person over the template
// limit. Striped by person id (a fixed set of mutexes), so the memory does not grow with the gallery.
#include <array>
#include <mutex>
#include <string>

namespace faceid {

class PersonLocks {
  public:
    // Holds one person's stripe.
    std::unique_lock<std::mutex> lock(const std::string& person_id);

    // Holds the stripes of two persons (one when they share it), always taken in stripe order so that two
    // callers locking the same pair in opposite orders cannot deadlock.
    class Pair {
      public:
        Pair(std::unique_lock<std::mutex> first, std::unique_lock<std::mutex> second)
            : first_(std::move(first)), second_(std::move(second)) {}

      private:
        std::unique_lock<std::mutex> first_, second_;
    };
    Pair lock_both(const std::string& a, const std::string& b);

  private:
    size_t stripe(const std::string& person_id) const;

    std::array<std::mutex, 64> stripes_;
};

}  // namespace faceid
