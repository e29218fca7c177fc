#pragma once
// A RegistrationSink that sends each batch to a running server's POST /register/batch.
#include "services/import_runner.h"

#include <string>

namespace faceid::app {

class HttpRegistrationSink : public RegistrationSink {
  public:
    // url: "http://host:port"; key: the API key (sent as X-API-Key and as a Bearer token), may be empty.
    HttpRegistrationSink(std::string url, std::string key);
    std::vector<ImportOutcome> register_batch(const std::vector<RegistrationRequest>& requests) override;

  private:
    std::string url_, key_;
};

}  // namespace faceid::app
