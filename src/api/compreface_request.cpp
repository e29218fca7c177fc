#include "api/compreface_request.h"

#include "api/request_reader.h"
#include "core/error.h"
#include "core/utf8.h"

#include <cmath>
#include <cstdlib>

namespace faceid {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
    throw Error(ErrorCode::kInvalidField, message, {{"field", field}});
}

bool is_true(const std::string& value) {
    return value == "true" || value == "1" || value == "True" || value == "TRUE";
}

}  // namespace

std::optional<std::string> compreface_query_text(const HttpRequest& req, const std::string& name,
                                                 size_t max_length) {
    if (!req.has_param(name)) return std::nullopt;
    // The same checks as a form field of ours: one multipart-free reader over a JSON object.
    return RequestReader(nlohmann::json{{name, req.param(name)}}).text(name, max_length);
}

int compreface_query_int(const HttpRequest& req, const std::string& name, int min, int max, int fallback) {
    const auto value = compreface_query_text(req, name, 20);
    if (!value || value->empty()) return fallback;
    return RequestReader(nlohmann::json{{name, *value}}).integer(name, min, max).value_or(fallback);
}

CompreFaceFaceOptions read_compreface_options(const HttpRequest& req, bool may_read_embeddings) {
    CompreFaceFaceOptions options;
    options.limit = compreface_query_int(req, "limit", 0, 1000, 0);
    options.prediction_count = compreface_query_int(req, "prediction_count", 1, 100, 1);
    if (const auto threshold = compreface_query_text(req, "det_prob_threshold", 20);
        threshold && !threshold->empty()) {
        char* end = nullptr;
        const double value = std::strtod(threshold->c_str(), &end);
        if (*end != '\0' || !std::isfinite(value) || value < 0 || value > 1)
            invalid("det_prob_threshold", "det_prob_threshold must be a number between 0.0 and 1.0.");
        options.det_prob_threshold = value;
    }
    if (const auto plugins = compreface_query_text(req, "face_plugins", 200)) {
        size_t start = 0;
        while (start <= plugins->size()) {
            const size_t comma = std::min(plugins->find(',', start), plugins->size());
            std::string item = plugins->substr(start, comma - start);
            while (!item.empty() && item.front() == ' ') item.erase(item.begin());
            while (!item.empty() && item.back() == ' ') item.pop_back();
            // Plugins we do not have (mask, pose, ...) are left out, as CompreFace leaves out one that is
            // not installed.
            if (item == "age") options.plugins.age = true;
            if (item == "gender") options.plugins.gender = true;
            if (item == "landmarks") options.plugins.landmarks = true;
            if (item == "calculator") options.plugins.calculator = may_read_embeddings;
            start = comma + 1;
        }
    }
    options.status = req.has_param("status") && is_true(req.param("status"));
    return options;
}

std::string compreface_path_text(const HttpRequest& req, size_t index) {
    const std::string& raw = req.path_param(index);
    return is_valid_utf8(raw) ? raw : latin1_to_utf8(raw);
}

std::string compreface_body_subject(const HttpRequest& req) {
    RequestReader in(req);
    return in.required_text("subject", 1000);
}

std::string compreface_image(const HttpRequest& req, const std::string& name) {
    RequestReader in(req);
    return in.required_photo(name);
}

}  // namespace faceid
