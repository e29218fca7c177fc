#pragma once
// The fixed open-set split of `faceid eval identify` over a folder of people (one sub-folder per person,
// its photos sorted by name, as LFW is laid out):
// - people whose name starts with A-M are the enrolment side: their 1st photo is registered (through the
//   quality gates); their 2nd and 3rd photos are probes: known probes when the 1st photo was accepted,
//   stranger probes when it was refused (that person is then not in the gallery). Their 4th and 5th photos
//   are extra templates for the multi-photo enrolment case.
// - people whose name starts with N-Z (or anything else) are strangers: their 1st photo is a probe.
// - people named in `fit_people` (LFW: peopleDevTrain.txt) are the fit side: the decision and percentage
//   models are fitted on them; every other person's probes check the fit. The two lists are disjoint.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace faceid {

struct SplitPerson {
    std::string name;
    std::vector<std::string> photos;  // paths, sorted
    bool enrolment_side = false;      // A-M
    bool fit = false;                 // named in the fit list
};

// People (sub-folders with at least one photo) in name order; fit side from fit_people.
std::vector<SplitPerson> read_split_people(const std::filesystem::path& root,
                                           const std::set<std::string>& fit_people);
// The names of an LFW people list (peopleDevTrain.txt: a count line, then "name<TAB>photos" lines).
std::set<std::string> read_people_list(const std::filesystem::path& file);

bool is_enrolment_side(const std::string& name);

// Photos the split uses, and in which role.
enum class PhotoRole { kEnrolment, kExtraTemplate, kProbe };
struct SplitPhoto {
    std::string path;
    size_t person = 0;  // index into the people list
    PhotoRole role = PhotoRole::kProbe;
};
std::vector<SplitPhoto> split_photos(const std::vector<SplitPerson>& people, int extra_templates = 2);

}  // namespace faceid
