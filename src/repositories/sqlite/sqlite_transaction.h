#pragma once
// RAII transaction: rolled back when it goes out of scope without commit() (an exception in between).
namespace faceid {

class SqliteConnection;

class SqliteTransaction {
  public:
    enum class Kind {
        kRead,   // BEGIN DEFERRED: one consistent snapshot for several reads
        kWrite,  // BEGIN IMMEDIATE: takes the write lock up front, so checks and writes cannot race
    };

    SqliteTransaction(SqliteConnection& connection, Kind kind);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;

    void commit();

  private:
    SqliteConnection& connection_;
    bool open_ = true;
};

}  // namespace faceid
