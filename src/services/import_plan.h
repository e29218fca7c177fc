#pragma once
// What a bulk import registers: one item per photo, from a folder tree (one sub-folder per person, the
// folder name is the person's name and external_id) or from a CSV file (columns name, external_id, path,
// metadata JSON; a header row names them, in any order; paths are relative to the CSV file's folder).
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct ImportItem {
    std::filesystem::path path;
    std::string name;
    std::optional<std::string> external_id;  // routes several photos to one person, across re-runs too
    std::optional<nlohmann::json> metadata;
};

// Photos (.jpg .jpeg .png .webp .bmp, any case) of every sub-folder, sorted by folder then file name.
// Throws Error(kNotFound) when dir is not a folder.
std::vector<ImportItem> plan_folder_import(const std::filesystem::path& dir);
// Throws Error(kInvalidField) naming the line for a malformed row, a missing name/path column or bad JSON.
std::vector<ImportItem> plan_csv_import(const std::filesystem::path& csv_file);

// One CSV record split into fields (RFC 4180: quoted fields may hold commas, quotes as "" and newlines).
// Reads from `text` at `pos` and advances it past the record. Returns false at the end of the text.
bool read_csv_record(const std::string& text, size_t& pos, std::vector<std::string>& fields);

}  // namespace faceid
