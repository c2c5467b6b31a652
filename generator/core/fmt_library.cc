// SPDX-License-Identifier: LGPL-2.1-or-later
// fmt's implementation, compiled once into ctapp-core so that every program
// links it statically (meson.build says why) and no other file has to be
// compiled header-only. Debian ships format-inl.h but not fmt's format.cc:
// the explicit instantiations below are the ones format.h declares extern
// (and the ones its inline code calls) for char.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;
template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API void buffer<char>::append(const char*, const char*);

}  // namespace detail
FMT_END_NAMESPACE
