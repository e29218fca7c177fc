#pragma once
// What the sub-commands set up before they work: the models (found and verified), a photo file's bytes, and
// the pipeline, registration and search options from the configuration.
#include "app/config.h"
#include "services/registration_service.h"
#include "services/search_service.h"
#include "vision/face_pipeline.h"
#include "vision/model_files.h"

#include <string>

namespace faceid::app {

// --models flag, else $FACEID_MODELS_DIR, else ./models, else models/ beside the source tree the binary
// was built from. Verifies every file's checksum (throws Error(kModelMissing) naming the file and the fix).
ModelFiles resolve_models(const std::string& flag);

std::string read_file_bytes(const std::string& path);

// Pipeline, registration and search settings from the configuration (shared by serve, import and search).
PipelineOptions pipeline_options(const AppConfig& config);
RegistrationOptions registration_options(const AppConfig& config);
SearchOptions search_options(const AppConfig& config);

}  // namespace faceid::app
