#pragma once
// How this run learns where to connect: the command line over the remembered settings
// (launch_native.cpp) or the page's location (launch_web.cpp).

#include <cstdint>
#include <string>
#include <variant>

#include "launch_options.hpp"

namespace parley::platform {

/// The settings to start with. Native: argv over $XDG_CONFIG_HOME/parley/client.conf;
/// web: the page's origin, path and query (argv is empty there). Main thread, start-up.
std::variant<options::launch_settings, options::launch_exit> read_launch_settings(int argc, char** argv);

/// Remembers the settings a join used, for the next run (native: the config file; web:
/// nothing, the page's URL holds them). Returns why it failed, empty on success.
std::string remember_launch_settings(const options::launch_settings& settings);

/// 64 unpredictable bits for the model's seed: a reloaded page or restarted client must
/// not reuse nonces (the server would answer a new message with an old stored one).
std::uint64_t random_seed();

}  // namespace parley::platform
