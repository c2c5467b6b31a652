// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/sha256.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/unique_fd.h"
#include "store/crypto_library.h"

namespace ctapp {

void Sha256::Free::operator()(evp_md_ctx_st* context) const { crypto->md_ctx_free(context); }

Result<Sha256> Sha256::create() {
  auto crypto = crypto_library();
  if (!crypto) return std::unexpected(crypto.error());
  Sha256 hash;
  hash.context_ = {(*crypto)->md_ctx_new(), Free{*crypto}};
  if (!hash.context_ || (*crypto)->digest_init(hash.context_.get(), (*crypto)->sha256(), nullptr) != 1)
    return fail("cannot initialise sha256 (OpenSSL)");
  return hash;
}

void Sha256::update(const void* data, size_t size) {
  crypto().digest_update(context_.get(), data, size);
}

std::string Sha256::digest() {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  crypto().digest_final(context_.get(), raw, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    text += kHex[raw[i] >> 4];
    text += kHex[raw[i] & 15];
  }
  return text;
}

Result<std::string> sha256_of_file(const std::string& path) {
  auto hash = Sha256::create();
  if (!hash) return std::unexpected(hash.error());
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return fail("open '{}': {}", path, errno_text(errno));
  char buffer[1 << 16];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("read '{}': {}", path, errno_text(errno));
    }
    if (n == 0) break;
    hash->update(buffer, static_cast<size_t>(n));
  }
  return hash->digest();
}

}  // namespace ctapp
