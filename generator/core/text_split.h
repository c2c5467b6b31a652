// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string_view>
#include <vector>

namespace ctapp {

// The pieces of `text` between `separator`s, as std::getline gives them: a
// separator at the very end adds no empty piece, and "" has none. (Views
// into `text`; ctapp uses no iostreams: constructing the first one costs
// libstdc++'s locale set-up, ~0.3 ms at every prepare.)
std::vector<std::string_view> split(std::string_view text, char separator);

}  // namespace ctapp
