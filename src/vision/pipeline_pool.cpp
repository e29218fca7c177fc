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
    lock.unlock();
    // The budget counts the work, not the wait for a free pipeline (the queue before it is bounded apart).
    pipeline->start_budget();
    return Lease(*this, std::move(pipeline));
}

std::pair<StageTimes, uint64_t> PipelinePool::totals() {
    std::lock_guard lock(mutex_);
    return {totals_, leases_};
}

void PipelinePool::release(std::unique_ptr<FacePipeline> pipeline) {
    {
        std::lock_guard lock(mutex_);
        const auto& t = pipeline->times();
        totals_.decode += t.decode;
        totals_.detect += t.detect;
        totals_.landmarks += t.landmarks;
        totals_.align += t.align;
        totals_.quality += t.quality;
        totals_.embed += t.embed;
        totals_.liveness += t.liveness;
        totals_.attributes += t.attributes;
        ++leases_;
        pipeline->reset_times();
        idle_.push_back(std::move(pipeline));
    }
    available_.notify_one();
}

}  // namespace faceid
