#include "services/identification_split.h"

#include "core/error.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace faceid {

namespace fs = std::filesystem;

bool is_enrolment_side(const std::string& name) {
    if (name.empty()) return false;
    const char first = char(std::toupper(static_cast<unsigned char>(name[0])));
    return first >= 'A' && first <= 'M';
}

namespace {
bool is_photo(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp" || ext == ".bmp";
}
}  // namespace

std::vector<SplitPerson> read_split_people(const fs::path& root, const std::set<std::string>& fit_people) {
    if (!fs::is_directory(root)) throw Error(ErrorCode::kNotFound, root.string() + " is not a folder");
    std::vector<SplitPerson> people;
    for (const auto& entry : fs::directory_iterator(root)) {
        if (!entry.is_directory()) continue;
        SplitPerson person;
        person.name = entry.path().filename().string();
        for (const auto& file : fs::directory_iterator(entry.path()))
            if (file.is_regular_file() && is_photo(file.path()))
                person.photos.push_back(file.path().string());
        if (person.photos.empty()) continue;
        std::sort(person.photos.begin(), person.photos.end());
        person.enrolment_side = is_enrolment_side(person.name);
        person.fit = fit_people.count(person.name) > 0;
        people.push_back(std::move(person));
    }
    std::sort(people.begin(), people.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return people;
}

std::set<std::string> read_people_list(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read " + file.string());
    std::set<std::string> names;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string name, count;
        if (fields >> name >> count) names.insert(name);  // the first line is a bare count
    }
    return names;
}

std::vector<SplitPhoto> split_photos(const std::vector<SplitPerson>& people, int extra_templates) {
    std::vector<SplitPhoto> photos;
    for (size_t p = 0; p < people.size(); ++p) {
        const auto& list = people[p].photos;
        if (!people[p].enrolment_side) {
            photos.push_back({list[0], p, PhotoRole::kProbe});
            continue;
        }
        photos.push_back({list[0], p, PhotoRole::kEnrolment});
        for (size_t i = 1; i < std::min<size_t>(3, list.size()); ++i)
            photos.push_back({list[i], p, PhotoRole::kProbe});
        for (size_t i = 3; i < std::min<size_t>(3 + size_t(extra_templates), list.size()); ++i)
            photos.push_back({list[i], p, PhotoRole::kExtraTemplate});
    }
    return photos;
}

}  // namespace faceid
