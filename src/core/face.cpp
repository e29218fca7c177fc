#include "core/face.h"

#include <cmath>

namespace faceid {

float dot(const float* a, const float* b, int dim) {
    float sum = 0;
    for (int i = 0; i < dim; ++i) sum += a[i] * b[i];
    return sum;
}

float cosine_similarity(const Embedding& a, const Embedding& b) {
    if (a.size() != b.size() || a.empty()) return 0;
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    if (aa <= 0 || bb <= 0) return 0;
    return float(ab / std::sqrt(aa * bb));
}

void l2_normalize(std::vector<float>& v) {
    double sum = 0;
    for (float x : v) sum += double(x) * x;
    if (sum <= 0) return;
    const float inv = float(1.0 / std::sqrt(sum));
    for (float& x : v) x *= inv;
}

}  // namespace faceid
