#include "app/keys_command.h"

#include "app/config.h"
#include "app/gallery_storage.h"
#include "app/storage_backends.h"
#include "core/clock.h"
#include "core/error.h"
#include "services/api_key_service.h"

#include <iostream>

namespace faceid::app {
namespace {

struct KeysFlags {
    std::string config_file;
    std::string data;  // empty: $FACEID_DATA or ./data
    std::string role, name, id;
};

// The stores a server with the same configuration uses: the data folder's SQLite file (shared with a
// running server through WAL), or with FACEID_STORAGE=clickhouse the ClickHouse database every replica
// shares. Either way revocations apply at a server's next request.
std::unique_ptr<StorageBackend> open_stores(const KeysFlags& flags) {
    AppConfig config = load_config(flags.config_file);
    if (!flags.data.empty()) config.data_dir = flags.data;
    require_existing_gallery(config);
    return open_storage_backend(config);  // opens only the keys and the audit log
}

void audit_cli(AuditLog& audit, const std::string& action, const std::string& key_id) {
    audit.append(AuditEntry{.at_ms = now_ms(),
                            .key_id = "cli",
                            .key_name = "faceid keys",
                            .role = "admin",
                            .action = action,
                            .subject_ids = nlohmann::json::array({key_id}),
                            .result_ids = nlohmann::json::array({key_id})});
}

int run_create(const KeysFlags& flags) {
    const auto role = parse_role(flags.role);
    if (!role) throw Error(ErrorCode::kInvalidField, "--role must be admin, operator, searcher or auditor");
    const auto stores = open_stores(flags);
    ApiKeyService keys(stores->keys());
    const auto created = keys.create(*role, flags.name);
    audit_cli(stores->audit(), "key.create", created.record.id);
    std::cout << "Created " << created.record.role << " key " << created.record.id << " ("
              << created.record.name << "). It is shown only this once:\n"
              << created.key << std::endl;
    return 0;
}

int run_list(const KeysFlags& flags) {
    const auto stores = open_stores(flags);
    ApiKeyService keys(stores->keys());
    for (const auto& key : keys.list())
        std::cout << key.id << "  " << key.role << "  " << to_rfc3339(key.created_at_ms) << "  "
                  << (key.revoked_at_ms ? "revoked " + to_rfc3339(*key.revoked_at_ms) : std::string("active"))
                  << "  " << key.name << "\n";
    return 0;
}

int run_revoke(const KeysFlags& flags) {
    const auto stores = open_stores(flags);
    ApiKeyService keys(stores->keys());
    if (!keys.revoke(flags.id)) {
        std::cerr << "faceid: no active key " << flags.id << "\n";
        return 1;
    }
    audit_cli(stores->audit(), "key.revoke", flags.id);
    std::cout << "Revoked " << flags.id << "\n";
    return 0;
}

}  // namespace

void add_keys_command(CLI::App& app) {
    static KeysFlags flags;
    auto* keys = app.add_subcommand("keys", "Manage API keys (create, list, revoke)");
    keys->require_subcommand(1);
    auto* create = keys->add_subcommand("create", "Create a key; prints it once, as the last line");
    create->add_option("--role", flags.role, "admin, operator, searcher or auditor")->required();
    create->add_option("--name", flags.name, "Who or what uses the key")->required();
    create->add_option("--data", flags.data, "Data folder (default $FACEID_DATA or ./data)");
    create->add_option("--config", flags.config_file, "JSON config file (storage as for serve)");
    create->final_callback([] { throw CLI::RuntimeError(run_create(flags)); });
    auto* list = keys->add_subcommand("list", "List keys (ids, roles, names; never the keys themselves)");
    list->add_option("--data", flags.data, "Data folder (default $FACEID_DATA or ./data)");
    list->add_option("--config", flags.config_file, "JSON config file (storage as for serve)");
    list->final_callback([] { throw CLI::RuntimeError(run_list(flags)); });
    auto* revoke = keys->add_subcommand("revoke", "Revoke a key at once");
    revoke->add_option("id", flags.id, "Key id (k...)")->required();
    revoke->add_option("--data", flags.data, "Data folder (default $FACEID_DATA or ./data)");
    revoke->add_option("--config", flags.config_file, "JSON config file (storage as for serve)");
    revoke->final_callback([] { throw CLI::RuntimeError(run_revoke(flags)); });
}

}  // namespace faceid::app
