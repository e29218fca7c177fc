#include "vision/pipeline_pool.h"

namespace faceid {

PipelinePool::PipelinePool(const ModelFiles& models, const PipelineOptions& options, int size)
    : options_(options), size_(size < 1 ? 1 : size) {
    for (int i = 0; i < size_; ++i) idle_.push_back(std::make_unique<FacePipeline>(models, options));
}

PipelinePool::Lease PipelinePool::acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty(); });
    auto pipeline = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(pipeline));
}

void PipelinePool::release(std::unique_ptr<FacePipeline> pipeline) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(pipeline));
    }
    available_.notify_one();
}

}  // namespace faceid
