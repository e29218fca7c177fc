#pragma once
// Reading the requests of the CompreFace-compatible routes (issue 16): the query parameters of its face
// routes (limit, prediction_count, det_prob_threshold, face_plugins, status), a subject given in the query
// or in a JSON body, paging, and an image given as a multipart file or as a base64 field of a JSON body.
// Every problem is an Error with the field's name in details (rendered by compreface_json).
#include "api/compreface_json.h"
#include "api/http_message.h"

#include <optional>
#include <string>

namespace faceid {

struct CompreFaceFaceOptions {
    int limit = 0;                             // faces, biggest first; 0: every face (up to our max_faces)
    int prediction_count = 1;                  // subjects per face (recognize)
    std::optional<double> det_prob_threshold;  // faces whose detection score is below are left out
    FacePlugins plugins;                       // face_plugins
    bool status = false;                       // execution_time
};

// `may_read_embeddings`: the calculator plugin is honoured (otherwise left out).
CompreFaceFaceOptions read_compreface_options(const HttpRequest& req, bool may_read_embeddings);
// The first value of a query parameter, checked like our text fields (length, control characters, UTF-8).
std::optional<std::string> compreface_query_text(const HttpRequest& req, const std::string& name,
                                                 size_t max_length);
// A whole number in the query, fallback when absent or empty; Error(kInvalidField) outside [min, max].
int compreface_query_int(const HttpRequest& req, const std::string& name, int min, int max, int fallback);
// A path parameter (a subject). The JS SDK 1.0.0 does not percent-encode subjects, and Node then writes a
// path's characters as Latin-1 bytes ("Zoë" arrives as 5A 6F EB): text that is not UTF-8 is read as Latin-1.
std::string compreface_path_text(const HttpRequest& req, size_t index);
// {"subject": "..."} of a JSON body; Error(kMissingField, field subject) when absent or empty.
std::string compreface_body_subject(const HttpRequest& req);
// An image: the multipart part `name`, or the base64 string `name` of a JSON body.
std::string compreface_image(const HttpRequest& req, const std::string& name);

}  // namespace faceid
