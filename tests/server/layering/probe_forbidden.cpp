// Must not compile: the chat layer does not see the SQLite backend (the only difference
// from probe_allowed.cpp is the second include).
#include "chat/hub.hpp"
#include "store/sqlite_store.hpp"

int layering_probe() { return sizeof(parley::server::history_query) > 0 ? 0 : 1; }
