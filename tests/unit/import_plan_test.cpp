// Reading import lists: CSV records with quoted fields, and the folder layout.
#include "services/import_plan.h"
#include "core/error.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <fstream>

namespace faceid::testing {
namespace {

TEST(ImportPlan, CsvWithQuotedMetadataCommasAndNewlines) {
    const auto dir = make_temp_dir("faceid-import-plan");
    std::ofstream(dir / "people.csv")
        << "\xEF\xBB\xBFname,external_id,path,metadata\r\n"
           "\"Doe, Jane\",emp-1,photos/jane.jpg,\"{\"\"team\"\": \"\"a,b\"\"}\"\r\n"
           "\n"
           "\"Multi\nline\",,/abs/x.png,\r\n";
    const auto items = plan_csv_import(dir / "people.csv");
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].name, "Doe, Jane");
    EXPECT_EQ(items[0].external_id, "emp-1");
    EXPECT_EQ(items[0].path, dir / "photos/jane.jpg");
    ASSERT_TRUE(items[0].metadata);
    EXPECT_EQ((*items[0].metadata)["team"], "a,b");
    EXPECT_EQ(items[1].name, "Multi\nline");
    EXPECT_FALSE(items[1].external_id);
    EXPECT_EQ(items[1].path, "/abs/x.png");
    EXPECT_FALSE(items[1].metadata);

    std::ofstream(dir / "bad.csv") << "name,path,metadata\nA,a.jpg,{not json}\n";
    EXPECT_THROW(plan_csv_import(dir / "bad.csv"), Error);
    std::ofstream(dir / "noheader.csv") << "who,where\nA,a.jpg\n";
    EXPECT_THROW(plan_csv_import(dir / "noheader.csv"), Error);
    std::filesystem::remove_all(dir);
}

TEST(ImportPlan, FolderPerPersonSortedWithPhotosOnly) {
    const auto dir = make_temp_dir("faceid-import-folders");
    std::filesystem::create_directories(dir / "Bob");
    std::filesystem::create_directories(dir / "Alice");
    for (const char* f : {"Bob/2.JPG", "Bob/1.png", "Bob/notes.txt", "Alice/a.jpeg"})
        std::ofstream(dir / f) << "x";
    const auto items = plan_folder_import(dir);
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0].name, "Alice");
    EXPECT_EQ(items[0].external_id, "Alice");
    EXPECT_EQ(items[1].path, dir / "Bob/1.png");
    EXPECT_EQ(items[2].path, dir / "Bob/2.JPG");
    EXPECT_THROW(plan_folder_import(dir / "missing"), Error);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faceid::testing
