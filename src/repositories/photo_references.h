#pragma once
// Which stored faces and persons use a photo-store key: lets bulk import skip photos it already handled and
// lets a delete reclaim a content-addressed file only when nothing refers to it any more. Implemented by
// every storage backend over the same records as its PersonRepository; contract suite in
// tests/contract/person_jobs_contract.cpp.
#include "core/records.h"

#include <string>
#include <vector>

namespace faceid {

class PhotoReferences {
  public:
    virtual ~PhotoReferences() = default;

    // True if any stored face refers to this key as its photo or its crop.
    virtual bool is_blob_referenced(const std::string& key) = 0;
    // Faces of any person whose whole photo is stored under this key (the same bytes were registered).
    virtual std::vector<FaceRecord> faces_with_photo(const std::string& photo_key) = 0;
    // Ids of the persons that were ever given a face from this photo (create_person, add_template), even
    // if that face was dropped or removed since; forgotten when the person is deleted. Lets a re-run of an
    // import skip what it already handled.
    virtual std::vector<std::string> persons_with_photo(const std::string& photo_key) = 0;
};

}  // namespace faceid
