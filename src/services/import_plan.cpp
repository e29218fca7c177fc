#include "services/import_plan.h"

#include "core/error.h"
#include "core/json_limits.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace faceid {
namespace {

bool is_photo(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp" || ext == ".bmp";
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::vector<ImportItem> plan_folder_import(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    if (!fs::is_directory(dir)) throw Error(ErrorCode::kNotFound, dir.string() + " is not a folder");
    std::vector<fs::path> people;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory()) people.push_back(entry.path());
    std::sort(people.begin(), people.end());
    std::vector<ImportItem> items;
    for (const auto& person : people) {
        std::vector<fs::path> photos;
        for (const auto& entry : fs::directory_iterator(person))
            if (entry.is_regular_file() && is_photo(entry.path())) photos.push_back(entry.path());
        std::sort(photos.begin(), photos.end());
        const std::string name = person.filename().string();
        for (auto& photo : photos) items.push_back({std::move(photo), name, name, std::nullopt});
    }
    return items;
}

bool read_csv_record(const std::string& text, size_t& pos, std::vector<std::string>& fields) {
    fields.clear();
    if (pos >= text.size()) return false;
    std::string field;
    bool quoted = false;
    while (pos < text.size()) {
        const char c = text[pos++];
        if (quoted) {
            if (c == '"' && pos < text.size() && text[pos] == '"') {
                field += '"';
                ++pos;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
        } else if (c == '\n') {
            break;
        } else if (c != '\r') {
            field += c;
        }
    }
    fields.push_back(std::move(field));
    return true;
}

std::vector<ImportItem> plan_csv_import(const std::filesystem::path& csv_file) {
    std::ifstream in(csv_file, std::ios::binary);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read " + csv_file.string());
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    size_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a byte-order mark from spreadsheet programs

    std::vector<std::string> fields;
    if (!read_csv_record(text, pos, fields))
        throw Error(ErrorCode::kInvalidField, csv_file.string() + " is empty");
    int name_col = -1, external_col = -1, path_col = -1, metadata_col = -1;
    for (size_t i = 0; i < fields.size(); ++i) {
        const std::string header = trim(fields[i]);
        if (header == "name") name_col = int(i);
        if (header == "external_id") external_col = int(i);
        if (header == "path") path_col = int(i);
        if (header == "metadata") metadata_col = int(i);
    }
    if (name_col < 0 || path_col < 0)
        throw Error(ErrorCode::kInvalidField,
                    csv_file.string() + ": the header row needs the columns name and path");

    const auto base = csv_file.parent_path();
    std::vector<ImportItem> items;
    int line = 1;
    while (read_csv_record(text, pos, fields)) {
        ++line;
        if (fields.size() == 1 && trim(fields[0]).empty()) continue;  // blank line
        auto column = [&](int col) {
            return col >= 0 && size_t(col) < fields.size() ? trim(fields[col]) : std::string();
        };
        ImportItem item;
        item.name = column(name_col);
        const std::string path = column(path_col);
        if (item.name.empty() || path.empty())
            throw Error(ErrorCode::kInvalidField,
                        csv_file.string() + " line " + std::to_string(line) + ": name and path are required");
        item.path = std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : base / path;
        if (auto external = column(external_col); !external.empty()) item.external_id = external;
        if (auto metadata = column(metadata_col); !metadata.empty()) {
            auto parsed = parse_json_limited(metadata);
            auto& json = parsed.value;
            if (parsed.status != JsonParseStatus::kOk || !json.is_object())
                throw Error(ErrorCode::kInvalidField, csv_file.string() + " line " + std::to_string(line) +
                                                          ": metadata is not a JSON object");
            item.metadata = std::move(json);
        }
        items.push_back(std::move(item));
    }
    return items;
}

}  // namespace faceid
