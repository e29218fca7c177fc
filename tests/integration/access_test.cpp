// API keys, roles and the audit log against the real server: every route x role from the access table,
// what a searcher sees, revocation, embeddings on explicit request only, rate limit, --no-auth, TLS.
#include "api/access_policy.h"
#include "integration/server_process.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <regex>
#include <set>
#include <thread>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::string> kSampleIds = {
    {"/persons/{id}", "p00000000000000aa"},    {"/persons/{id}/photo", "p00000000000000aa"},
    {"/faces/{id}", "f00000000000000aa"},      {"/faces/{id}/crop", "f00000000000000aa"},
    {"/keys/{id}", "k00000000000000aa"},       {"/persons/{id}/merge", "p00000000000000aa"},
    {"/faces/{id}/move", "f00000000000000aa"},
};

std::string concrete_path(std::string_view route) {
    std::string path(route);
    if (auto it = kSampleIds.find(path); it != kSampleIds.end())
        path.replace(path.find("{id}"), 4, it->second);
    // The CompreFace routes' parameters.
    for (const auto& [name, sample] :
         {std::pair{"{subject}", "nobody"}, std::pair{"{image_id}", "f00000000000000aa"}})
        if (const size_t at = path.find(name); at != std::string::npos)
            path.replace(at, std::strlen(name), sample);
    return path;
}

// The error code of an answer: ours ({"error": {"code": "forbidden"}}), or CompreFace's ({"code": 0}) on
// the CompreFace-compatible routes, whose errors are in its shape.
nlohmann::json error_code(const RouteRule& rule, const JsonResponse& r) {
    if (rule.flavor) return r.body.value("code", nlohmann::json());
    return r.body["error"]["code"];
}

JsonResponse send(httplib::Client& http, std::string_view method, const std::string& path,
                  const std::string& key, const std::string& body = "",
                  const std::string& content_type = "") {
    httplib::Headers headers;
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    auto res = [&] {
        if (method == "POST") return http.Post(path.c_str(), headers, body, content_type.c_str());
        if (method == "PATCH") return http.Patch(path.c_str(), headers, body, content_type.c_str());
        if (method == "PUT") return http.Put(path.c_str(), headers, body, content_type.c_str());
        if (method == "DELETE") return http.Delete(path.c_str(), headers);
        return http.Get(path.c_str(), headers);
    }();
    JsonResponse out = json_response(res);
    if (!res) return out;
    if (res->has_header("Retry-After")) out.body["retry_after_header"] = res->get_header_value("Retry-After");
    return out;
}

std::string key_id_of(const std::string& key) {
    return key.substr(5, 17);
}

// Every object key anywhere in a JSON document.
void collect_keys(const nlohmann::json& value, std::set<std::string>& keys) {
    if (value.is_object())
        for (const auto& [k, v] : value.items()) {
            keys.insert(k);
            collect_keys(v, keys);
        }
    if (value.is_array())
        for (const auto& v : value) collect_keys(v, keys);
}

class AccessTest : public ::testing::Test {
  protected:
    void SetUp() override { root_ = make_temp_dir("faceid-access"); }
    void TearDown() override {
        server_.reset();
        if (!HasFailure()) fs::remove_all(root_);
    }
    ServerProcess& start(std::vector<std::string> args, bool auth = true) {
        server_ = std::make_unique<ServerProcess>(root_ / "data", std::move(args), auth);
        server_->start();
        return *server_;
    }
    fs::path root_;
    std::unique_ptr<ServerProcess> server_;
};

TEST_F(AccessTest, EveryRouteAndRoleFollowsTheAccessTable) {
    auto& server = start({"--rate-limit", "0"});
    const std::string admin = server.bootstrap_key();
    ASSERT_FALSE(admin.empty()) << server.log();
    const fs::path data = root_ / "data";
    std::map<Role, std::string> keys = {{Role::kAdmin, admin},
                                        {Role::kOperator, create_key(data, "operator", "front desk")},
                                        {Role::kSearcher, create_key(data, "searcher", "gate camera")},
                                        {Role::kAuditor, create_key(data, "auditor", "data protection")}};
    auto http = server.client();

    int checked = 0;
    for (const RouteRule& rule : route_rules()) {
        const std::string path = concrete_path(rule.route);
        SCOPED_TRACE(std::string(rule.method) + " " + path);
        auto anonymous = send(http, rule.method, path, "");
        if (rule.is_public) {
            EXPECT_NE(anonymous.status, 401);
            EXPECT_NE(anonymous.status, 403);
            EXPECT_LT(anonymous.status, 500);
        } else {
            EXPECT_EQ(anonymous.status, 401) << anonymous.raw;
            // CompreFace's "Missing header" (20) on its routes.
            EXPECT_EQ(error_code(rule, anonymous),
                      rule.flavor ? nlohmann::json(20) : nlohmann::json("unauthorized"));
        }
        for (const auto& [role, key] : keys) {
            SCOPED_TRACE(std::string(role_name(role)));
            auto r = send(http, rule.method, path, key);
            ASSERT_NE(r.status, 0) << "no answer";
            if (role_allowed(rule, role)) {
                EXPECT_NE(r.status, 401) << r.raw;
                EXPECT_NE(r.status, 403) << r.raw;
                EXPECT_LT(r.status, 500) << r.raw;
            } else {
                EXPECT_EQ(r.status, 403) << r.raw;
                EXPECT_EQ(error_code(rule, r), rule.flavor ? nlohmann::json(0) : nlohmann::json("forbidden"));
            }
            ++checked;
        }
    }
    EXPECT_GE(checked, 4 * 20);

    // The OpenAPI document lists every route of the table, with the same roles.
    auto spec = get_json(http, "/openapi.json");
    ASSERT_EQ(spec.status, 200);
    for (const RouteRule& rule : route_rules()) {
        if (rule.is_public) continue;  // documented or not (the Swagger page's script is not)
        std::string method(rule.method);
        std::transform(method.begin(), method.end(), method.begin(), ::tolower);
        const auto& operation = spec.body["paths"][std::string(rule.route)][method];
        ASSERT_TRUE(operation.is_object())
            << rule.method << " " << rule.route << " missing from openapi.json";
        std::set<std::string> documented(operation["x-roles"].begin(), operation["x-roles"].end());
        for (Role role : {Role::kAdmin, Role::kOperator, Role::kSearcher, Role::kAuditor})
            EXPECT_EQ(documented.count(std::string(role_name(role))) == 1, role_allowed(rule, role))
                << rule.method << " " << rule.route << " " << role_name(role);
        EXPECT_TRUE(operation["responses"].contains("401"));
        EXPECT_TRUE(operation["responses"].contains("403"));
        EXPECT_TRUE(operation["responses"].contains("429"));
    }
    // The CompreFace-compatible routes (and only they) are under their own tag, which the document lists.
    const std::string tag = "CompreFace compatibility";
    bool tag_listed = false;
    for (const auto& t : spec.body["tags"]) tag_listed = tag_listed || t["name"] == tag;
    EXPECT_TRUE(tag_listed);
    int compat = 0;
    for (const RouteRule& rule : route_rules()) {
        std::string method(rule.method);
        std::transform(method.begin(), method.end(), method.begin(), ::tolower);
        const auto& operation = spec.body["paths"][std::string(rule.route)][method];
        if (!operation.is_object()) continue;
        const bool tagged =
            operation.contains("tags") &&
            std::find(operation["tags"].begin(), operation["tags"].end(), tag) != operation["tags"].end();
        EXPECT_EQ(tagged, rule.flavor != nullptr) << rule.method << " " << rule.route;
        EXPECT_EQ(rule.route.starts_with("/api/v1/"), rule.flavor != nullptr) << rule.route;
        compat += tagged;
    }
    EXPECT_GE(compat, 15);

    // The searcher's concrete refusals named in the issue.
    EXPECT_EQ(send(http, "POST", "/register", keys[Role::kSearcher], "{}", "application/json").status, 403);
    EXPECT_EQ(send(http, "DELETE", "/persons/p00000000000000aa", keys[Role::kSearcher]).status, 403);

    // Every key may ask who it is (the page hides the screens its role may not use).
    for (Role role : {Role::kAdmin, Role::kOperator, Role::kSearcher, Role::kAuditor}) {
        const auto self = send(http, "GET", "/keys/self", keys[role]);
        ASSERT_EQ(self.status, 200) << self.raw;
        EXPECT_EQ(self.body["role"], std::string(role_name(role)));
        EXPECT_EQ(self.body["auth"], true);
    }
    EXPECT_EQ(send(http, "GET", "/keys/self", "").status, 401);

    // Bad keys: wrong secret, malformed, other header; X-API-Key works like Bearer.
    std::string wrong = admin;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    EXPECT_EQ(send(http, "GET", "/persons", wrong).status, 401);
    EXPECT_EQ(send(http, "GET", "/persons", "not-a-key").status, 401);
    EXPECT_EQ(send(http, "GET", "/persons", admin + "x").status, 401);
    auto by_header = http.Get("/persons", {{"X-API-Key", keys[Role::kAuditor]}});
    ASSERT_TRUE(by_header);
    EXPECT_EQ(by_header->status, 200);

    // Only salted hashes are stored: no key's secret appears anywhere in the database files.
    for (const auto& [role, key] : keys) {
        const std::string secret = key.substr(key.rfind('_') + 1);
        for (const char* file : {"faceid.db", "faceid.db-wal"}) {
            if (!fs::exists(data / file)) continue;
            EXPECT_EQ(read_file(data / file).find(secret), std::string::npos) << file;
        }
    }

    // Revocation works at once, from the command line (another process) and over HTTP.
    const std::string searcher_id = key_id_of(keys[Role::kSearcher]);
    auto revoked = run_faceid({"keys", "revoke", searcher_id, "--data", data.string()});
    EXPECT_EQ(revoked.exit_code, 0) << revoked.output;
    EXPECT_EQ(send(http, "POST", "/search", keys[Role::kSearcher], "{}", "application/json").status, 401);
    EXPECT_EQ(send(http, "DELETE", "/keys/" + key_id_of(keys[Role::kOperator]), admin).status, 200);
    EXPECT_EQ(send(http, "GET", "/persons", keys[Role::kOperator]).status, 401);
    EXPECT_EQ(send(http, "DELETE", "/keys/" + key_id_of(keys[Role::kOperator]), admin).status, 404);
    auto listed = run_faceid({"keys", "list", "--data", data.string()});
    EXPECT_NE(listed.output.find(searcher_id + "  searcher"), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("revoked"), std::string::npos);

    // A key made over HTTP is shown once and works.
    auto made =
        send(http, "POST", "/keys", admin, R"({"role": "searcher", "name": "kiosk"})", "application/json");
    ASSERT_EQ(made.status, 201) << made.raw;
    EXPECT_EQ(
        send(http, "POST", "/search", made.body["key"].get<std::string>(), "{}", "application/json").status,
        400);
    auto key_list = send(http, "GET", "/keys", admin);
    EXPECT_EQ(key_list.raw.find(made.body["key"].get<std::string>()), std::string::npos);
    EXPECT_EQ(key_list.body["keys"].size(), 5u);

    // The audit log recorded the key changes with who did them.
    auto audit = send(http, "GET", "/audit?action=key.revoke", keys[Role::kAuditor]);
    ASSERT_EQ(audit.status, 200) << audit.raw;
    std::set<std::string> revokers;
    for (const auto& e : audit.body["entries"]) revokers.insert(e["key_id"]);
    EXPECT_TRUE(revokers.count("cli"));
    EXPECT_TRUE(revokers.count(key_id_of(admin)));
}

// What each role sees of a registered person; embeddings only for an admin who asks; the audit log.
// searcher_fields: a deployment (a door, a check-in desk) may let the searcher see the external_id, and
// then sees that and still no metadata, photos or quality; a value outside the list stops the start.
TEST_F(AccessTest, SearcherFieldsSettingAddsTheExternalIdAndNothingElse) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto& server = start({"--rate-limit", "0", "--searcher-fields", "external_id"});
    const fs::path data = root_ / "data";
    const std::string searcher = create_key(data, "searcher", "door");
    const std::string operator_key = create_key(data, "operator", "desk");
    auto http = server.client();
    const auto photos = photos_of(shared / "photos-multi" / "p03");
    ASSERT_GE(photos.size(), 2u);
    http.set_default_headers({{"Authorization", "Bearer " + operator_key}});
    auto registered =
        post_multipart(http, "/register",
                       {photo_part(photos[0]), text_part("name", "Cy"), text_part("external_id", "door-7"),
                        text_part("metadata", R"({"wing": "west-wing-7"})")});
    ASSERT_EQ(registered.status, 201) << registered.raw;
    http.set_default_headers({{"Authorization", "Bearer " + searcher}});
    auto seen = post_multipart(http, "/search", {photo_part(photos[1])});
    ASSERT_EQ(seen.status, 200) << seen.raw;
    ASSERT_FALSE(seen.body["results"][0]["match"].is_null()) << seen.raw;
    EXPECT_EQ(seen.body["results"][0]["match"]["person"]["external_id"], "door-7");
    std::set<std::string> fields;
    collect_keys(seen.body, fields);
    for (const char* hidden : {"photo_url", "crop_url", "metadata", "embedding"})
        EXPECT_FALSE(fields.count(hidden)) << hidden << " in " << seen.raw;
    EXPECT_EQ(seen.raw.find("west-wing-7"), std::string::npos) << "no metadata values";

    auto refused = run_faceid({"config", "--searcher-fields", "photos"}, 20);
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.output.find("searcher"), std::string::npos) << refused.output;
}

TEST_F(AccessTest, SearcherSeesNoPhotosMetadataOrEmbeddingsAndTheAuditLogRecordsIds) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto& server = start({"--rate-limit", "0"});
    const std::string admin = server.bootstrap_key();
    const fs::path data = root_ / "data";
    const std::string searcher = create_key(data, "searcher", "gate");
    const std::string auditor = create_key(data, "auditor", "dpo");
    const std::string operator_key = create_key(data, "operator", "desk");
    auto http = server.client();
    http.set_default_headers({{"Authorization", "Bearer " + operator_key}});

    const fs::path dir = shared / "photos-multi" / "p01";
    std::vector<fs::path> photos;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".jpg") photos.push_back(e.path());
    std::sort(photos.begin(), photos.end());
    std::string person_id;
    for (size_t i = 0; i + 1 < photos.size() && person_id.empty(); ++i) {
        auto r =
            post_multipart(http, "/register",
                           {photo_part(photos[i]), text_part("name", "Ada"),
                            text_part("metadata", R"({"badge": "42"})"), text_part("external_id", "emp-1")});
        if (r.status == 201) person_id = r.body["person"]["id"];
    }
    ASSERT_FALSE(person_id.empty());

    auto search_as = [&](const std::string& key) {
        auto client = server.client();
        client.set_default_headers({{"Authorization", "Bearer " + key}});
        return post_multipart(client, "/search", {photo_part(photos.back())});
    };
    auto seen = search_as(searcher);
    ASSERT_EQ(seen.status, 200) << seen.raw;
    ASSERT_FALSE(seen.body["results"].empty());
    ASSERT_FALSE(seen.body["results"][0]["match"].is_null()) << seen.raw;
    EXPECT_EQ(seen.body["results"][0]["match"]["person"]["id"], person_id);
    EXPECT_EQ(seen.body["results"][0]["match"]["person"]["name"], "Ada");
    EXPECT_TRUE(seen.body["results"][0]["match"].contains("similarity"));
    std::set<std::string> fields;
    collect_keys(seen.body, fields);
    for (const char* hidden : {"photo_url", "crop_url", "metadata", "external_id", "embedding"})
        EXPECT_FALSE(fields.count(hidden)) << hidden << " in " << seen.raw;
    EXPECT_EQ(seen.raw.find("emp-1"), std::string::npos);
    EXPECT_EQ(seen.raw.find("badge"), std::string::npos);
    // The operator sees the photo links and metadata that the searcher does not.
    auto full = search_as(operator_key);
    EXPECT_TRUE(full.body["results"][0]["match"]["person"].contains("photo_url")) << full.raw;
    EXPECT_EQ(full.body["results"][0]["match"]["person"]["metadata"]["badge"], "42");
    auto verify = server.client();
    verify.set_default_headers({{"Authorization", "Bearer " + searcher}});
    auto verified =
        post_multipart(verify, "/verify", {photo_part(photos.back()), text_part("person_id", person_id)});
    EXPECT_EQ(verified.status, 200) << verified.raw;

    // The auditor lists persons without photos or metadata.
    auto listed = send(http, "GET", "/persons", auditor);
    ASSERT_EQ(listed.status, 200);
    fields.clear();
    collect_keys(listed.body, fields);
    EXPECT_FALSE(fields.count("photo_url"));
    EXPECT_FALSE(fields.count("metadata"));
    EXPECT_EQ(send(http, "GET", "/persons/" + person_id + "/photo", auditor).status, 403);

    // Embeddings: never by default, only for an admin asking explicitly.
    auto plain = send(http, "GET", "/persons/" + person_id, admin);
    EXPECT_EQ(plain.raw.find("embedding"), std::string::npos);
    auto with = send(http, "GET", "/persons/" + person_id + "?include=embeddings", admin);
    ASSERT_EQ(with.status, 200);
    EXPECT_EQ(with.body["faces"][0]["embedding"].size(), 512u);
    EXPECT_EQ(send(http, "GET", "/persons/" + person_id + "?include=embeddings", operator_key).status, 403);
    EXPECT_EQ(send(http, "GET", "/persons/" + person_id + "?include=embeddings", auditor).status, 403);

    EXPECT_EQ(send(http, "DELETE", "/persons/" + person_id, admin).status, 200);

    // The audit log: who, what, which ids; pages newest first; never photos or embeddings.
    std::vector<nlohmann::json> entries;
    std::string cursor;
    for (int page = 0; page < 50; ++page) {
        auto r = send(http, "GET", "/audit?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), auditor);
        ASSERT_EQ(r.status, 200) << r.raw;
        EXPECT_LE(r.body["entries"].size(), 2u);
        for (const auto& e : r.body["entries"]) entries.push_back(e);
        if (r.body["next_cursor"].is_null()) break;
        cursor = r.body["next_cursor"];
    }
    for (size_t i = 1; i < entries.size(); ++i) EXPECT_GT(entries[i - 1]["seq"], entries[i]["seq"]);
    auto find = [&](const std::string& action) -> nlohmann::json {
        for (const auto& e : entries)
            if (e["action"] == action && e["status"].get<int>() < 300) return e;
        return nullptr;
    };
    auto registered = find("register");
    ASSERT_FALSE(registered.is_null());
    EXPECT_EQ(registered["key_id"], key_id_of(operator_key));
    EXPECT_EQ(registered["key_name"], "desk");
    EXPECT_EQ(registered["result_ids"][0], person_id);
    auto searched = find("search");
    ASSERT_FALSE(searched.is_null());
    EXPECT_NE(std::find(searched["result_ids"].begin(), searched["result_ids"].end(), person_id),
              searched["result_ids"].end());
    auto verified_entry = find("verify");
    ASSERT_FALSE(verified_entry.is_null());
    EXPECT_EQ(verified_entry["key_id"], key_id_of(searcher));
    EXPECT_EQ(verified_entry["subject_ids"][0], person_id);
    auto deleted = find("delete.person");
    ASSERT_FALSE(deleted.is_null());
    EXPECT_EQ(deleted["key_id"], key_id_of(admin));
    EXPECT_EQ(deleted["result_ids"][0], person_id);
    for (const auto& e : entries) {
        const std::string text = e.dump();
        EXPECT_LT(text.size(), 1000u) << text;
        EXPECT_EQ(text.find("embedding"), std::string::npos);
    }
    EXPECT_EQ(send(http, "GET", "/audit", searcher).status, 403);
    EXPECT_EQ(send(http, "GET", "/audit?limit=0", auditor).status, 400);
    EXPECT_EQ(send(http, "GET", "/audit?cursor=abc", auditor).status, 400);
}

TEST_F(AccessTest, RateLimitAnswers429WithRetryAfterPerKey) {
    auto& server = start({"--rate-limit", "0.5", "--rate-burst", "3"});
    const std::string admin = server.bootstrap_key();
    const std::string other = create_key(root_ / "data", "auditor", "other");
    auto http = server.client();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(send(http, "GET", "/persons", admin).status, 200);
    auto limited = send(http, "GET", "/persons", admin);
    EXPECT_EQ(limited.status, 429) << limited.raw;
    EXPECT_EQ(limited.body["error"]["code"], "rate_limited");
    ASSERT_TRUE(limited.body.contains("retry_after_header"));
    const int retry_after = std::stoi(limited.body["retry_after_header"].get<std::string>());
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 2);
    // Another key has its own bucket; public probes are not limited.
    EXPECT_EQ(send(http, "GET", "/persons", other).status, 200);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(send(http, "GET", "/healthz", "").status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    EXPECT_EQ(send(http, "GET", "/persons", admin).status, 200);
}

TEST_F(AccessTest, NoAuthOnlyOnLoopbackAndWarns) {
    auto refused = run_faceid({"serve", "--host", "0.0.0.0", "--port", "0", "--no-auth", "--data",
                               (root_ / "open").string(), "--models", models_dir().string()});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.output.find("only allowed when listening on loopback"), std::string::npos)
        << refused.output;

    auto& server = start({}, /*auth=*/false);
    EXPECT_NE(server.log().find("--no-auth"), std::string::npos);
    EXPECT_TRUE(server.bootstrap_key().empty());
    auto http = server.client();
    EXPECT_EQ(get_json(http, "/persons").status, 200);
}

TEST_F(AccessTest, ServesHttpsWithTheGivenCertificate) {
    const fs::path cert = root_ / "cert.pem", key = root_ / "key.pem";
    const std::string make_cert =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout '" + key.string() +
        "' -out '" + cert.string() + "' >/dev/null 2>&1";
    if (std::system(make_cert.c_str()) != 0) GTEST_SKIP() << "openssl command not available";
    auto& server = start({"--tls-cert", cert.string(), "--tls-key", key.string()});
    EXPECT_NE(server.log().find("listening on https://"), std::string::npos);
    auto https = server.client();
    const std::string admin = server.bootstrap_key();
    EXPECT_EQ(send(https, "GET", "/healthz", "").status, 200);
    EXPECT_EQ(send(https, "GET", "/persons", "").status, 401);
    EXPECT_EQ(send(https, "GET", "/persons", admin).status, 200);
    // Plain HTTP to the TLS port gets no HTTP answer.
    httplib::Client plain("127.0.0.1", server.port());
    plain.set_read_timeout(5, 0);
    auto res = plain.Get("/healthz");
    EXPECT_TRUE(!res || res->status != 200);

    auto bad = run_faceid({"serve", "--port", "0", "--data", (root_ / "bad").string(), "--models",
                           models_dir().string(), "--tls-cert", (root_ / "missing.pem").string(), "--tls-key",
                           key.string()});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.output.find("TLS certificate"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace faceid::testing
