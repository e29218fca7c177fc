#include "repositories/clickhouse/clickhouse_client.h"

#include "core/error.h"
#include "core/percent_encoding.h"
#include "repositories/clickhouse/clickhouse_sql.h"

#include <httplib.h>

namespace faceid {
namespace {

// The first line of ClickHouse's error text ("Code: 60, e.displayText() = DB::Exception: ...").
std::string first_line(const std::string& body) {
    const auto end = body.find('\n');
    return body.substr(0, std::min<size_t>(end, 500));
}

}  // namespace

ClickHouseClient::ClickHouseClient(ClickHouseSettings settings) : settings_(std::move(settings)) {
    checked_identifier(settings_.database);
    if (settings_.url.rfind("http://", 0) != 0 && settings_.url.rfind("https://", 0) != 0)
        throw Error(ErrorCode::kInvalidField, "the ClickHouse URL must start with http:// or https://",
                    {{"field", "clickhouse.url"}});
    while (!settings_.url.empty() && settings_.url.back() == '/') settings_.url.pop_back();
}

std::string ClickHouseClient::post(const std::string& path, std::string_view body) const {
    httplib::Client client(settings_.url);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(settings_.timeout_seconds, 0);
    client.set_write_timeout(settings_.timeout_seconds, 0);
    client.set_basic_auth(settings_.user.c_str(), settings_.password.c_str());
    auto result = client.Post(path.c_str(), body.data(), body.size(), "application/octet-stream");
    if (!result)
        throw Error(ErrorCode::kUnavailable, "cannot reach ClickHouse at " + settings_.url + ": " +
                                                 httplib::to_string(result.error()));
    if (result->status != 200)
        throw Error(ErrorCode::kStorageError, "ClickHouse refused a query: " + first_line(result->body),
                    {{"status", result->status}});
    return std::move(result->body);
}

std::string ClickHouseClient::query(std::string_view sql) const {
    return post("/?wait_end_of_query=1&database=" + settings_.database, sql);
}

std::string ClickHouseClient::query_without_database(std::string_view sql) const {
    return post("/?wait_end_of_query=1", sql);
}

void ClickHouseClient::insert(std::string_view table_and_columns, std::string_view rows) const {
    const std::string sql = "INSERT INTO " + std::string(table_and_columns) + " FORMAT RowBinary";
    post("/?wait_end_of_query=1&database=" + settings_.database + "&query=" + percent_encode(sql), rows);
}

}  // namespace faceid
