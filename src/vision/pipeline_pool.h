#pragma once
// A fixed set of FacePipelines, one per worker, handed out for the length of a request. Creating the model
// sessions once and reusing them keeps requests fast; exclusive leases keep each cv::dnn::Net on one
// thread at a time.
#include "vision/face_pipeline.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace faceid {

class PipelinePool {
  public:
    PipelinePool(const ModelFiles& models, const PipelineOptions& options, int size);

    class Lease {
      public:
        Lease(PipelinePool& pool, std::unique_ptr<FacePipeline> pipeline)
            : pool_(&pool), pipeline_(std::move(pipeline)) {}
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (pipeline_) pool_->release(std::move(pipeline_));
        }
        FacePipeline* operator->() { return pipeline_.get(); }
        FacePipeline& operator*() { return *pipeline_; }

      private:
        PipelinePool* pool_;
        std::unique_ptr<FacePipeline> pipeline_;
    };

    // Waits until a pipeline is free; its time budget (PipelineOptions::time_budget_seconds) starts then.
    Lease acquire();
    int size() const { return size_; }
    // Stage times summed over every lease returned so far, and how many leases that was.
    std::pair<StageTimes, uint64_t> totals();
    const PipelineOptions& options() const { return options_; }

  private:
    void release(std::unique_ptr<FacePipeline> pipeline);

    PipelineOptions options_;
    int size_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<FacePipeline>> idle_;
    StageTimes totals_;
    uint64_t leases_ = 0;
};

}  // namespace faceid
