// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/registry_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/unique_fd.h"
#include "json/json_reader.h"
#include "store/image_json.h"
#include "store/media_types.h"
#include "store/sha256.h"

namespace ctapp {
namespace {

const std::string kAcceptManifests = fmt::format("Accept: {}, {}, {}, {}", kOciIndex, kOciManifest,
                                                 kDockerManifestList, kDockerManifest);

// "application/json; charset=utf-8" -> "application/json".
std::string media_type_of(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  auto last = type.find_last_not_of(" \t");
  return last == std::string::npos ? "" : type.substr(0, last + 1);
}

struct UrlParts {
  std::string scheme;
  std::string host;  // with the port, if any
};

UrlParts url_parts(const std::string& url) {
  auto colon = url.find("://");
  if (colon == std::string::npos) return {};
  auto host_start = colon + 3;
  auto host_end = url.find_first_of("/?#", host_start);
  std::string scheme = url.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  return {scheme, url.substr(host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start)};
}

bool retryable(long status) { return status == 429 || (status >= 500 && status <= 599); }

std::chrono::milliseconds backoff(int attempt, const HttpResponse* response) {
  if (response && response->headers.contains("retry-after")) {
    long seconds = std::atol(response->headers.at("retry-after").c_str());
    if (seconds > 0) return std::chrono::milliseconds(std::min(seconds, 60L) * 1000);
  }
  return std::chrono::milliseconds(std::min(250 << attempt, 8000));
}

std::string status_message(long status) {
  switch (status) {
    case 401: return "401 Unauthorized: check the credentials for this registry";
    case 403: return "403 Forbidden";
    case 404: return "404 Not Found: no such image or tag";
    case 429: return "429 Too Many Requests";
    default: return std::to_string(status);
  }
}

// No CR, LF or other control characters: the value goes into a header line.
bool is_header_value(const std::string& value) {
  return std::none_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

}  // namespace

Status check_token_realm(const std::string& realm, const std::string& registry_scheme,
                         const std::string& registry_host, const std::string& credentials_source) {
  // The password may travel in clear only where the registry itself is
  // spoken to in clear: an http:// realm of an https registry, or on
  // another host, would hand it to anyone on the path.
  UrlParts parts = url_parts(realm);
  if (parts.scheme == "https") return {};
  if (parts.scheme == "http" && registry_scheme == "http" && parts.host == registry_host) return {};
  return fail("{}: the token service '{}' is plain HTTP {}: ctapp does not send the credentials for {} "
              "(from '{}') over plain HTTP; the registry's token realm must use https://",
              registry_host, realm, registry_scheme == "https" ? "although the registry is HTTPS" : "on another host",
              registry_host, credentials_source);
}

Result<RegistryClient> RegistryClient::connect(const PullSource& source,
                                               const std::optional<Credentials>& credentials,
                                               const RegistryOptions& options) {
  auto http = HttpClient::create();
  if (!http) return std::unexpected(http.error());
  RegistryClient client(std::move(*http));
  client.source_ = source;
  client.credentials_ = credentials;
  client.options_ = options;
  if (source.insecure || !options.tls_verify) client.options_.tls_verify = false;
  // The ping: learns the scheme (an insecure registry may speak plain
  // HTTP) and, through a 401, how to authenticate.
  auto ping = client.get("/v2/", {}, {});
  if (!ping && !client.options_.tls_verify) {
    client.scheme_ = "http";
    ping = client.get("/v2/", {}, {});
  }
  if (!ping) return std::unexpected(ping.error());
  if (ping->status != 200 && ping->status != 401)
    return fail("{}: /v2/ answered {}: not an OCI registry", source.host, status_message(ping->status));
  return client;
}

Result<RegistryClient> RegistryClient::another_connection() const {
  auto http = HttpClient::create();
  if (!http) return std::unexpected(http.error());
  RegistryClient client(std::move(*http));
  client.source_ = source_;
  client.credentials_ = credentials_;
  client.options_ = options_;
  client.scheme_ = scheme_;
  client.authorization_ = authorization_;
  return client;
}

std::string RegistryClient::url(const std::string& path) const {
  return scheme_ + "://" + source_.host + path;
}

Status RegistryClient::authenticate(const HttpResponse& unauthorized) {
  auto challenges = parse_www_authenticate(
      unauthorized.headers.contains("www-authenticate") ? unauthorized.headers.at("www-authenticate") : "");
  for (const auto& challenge : challenges) {
    std::string scheme = challenge.scheme;
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
    if (scheme == "basic") {
      if (!credentials_)
        return fail("{} wants a user name and password: add them with 'skopeo login --authfile "
                    "/etc/containers/auth.json {}'",
                    source_.host, source_.host);
      auto encoded = base64_encode(credentials_->username + ":" + credentials_->password);
      if (!encoded) return std::unexpected(encoded.error());
      authorization_ = "Authorization: Basic " + *encoded;
      return {};
    }
    if (scheme != "bearer" || !challenge.parameters.contains("realm")) continue;
    std::string token_url = challenge.parameters.at("realm");
    token_url += token_url.find('?') == std::string::npos ? "?" : "&";
    if (challenge.parameters.contains("service"))
      token_url += "service=" + url_encode(challenge.parameters.at("service")) + "&";
    std::string scope = challenge.parameters.contains("scope") ? challenge.parameters.at("scope")
                                                               : "repository:" + source_.repository + ":pull";
    token_url += "scope=" + url_encode(scope);
    HttpRequest request{token_url, {}, options_.tls_verify};
    if (credentials_) {
      if (auto allowed = check_token_realm(challenge.parameters.at("realm"), scheme_, source_.host, credentials_->source);
          !allowed)
        return allowed;
      auto encoded = base64_encode(credentials_->username + ":" + credentials_->password);
      if (!encoded) return std::unexpected(encoded.error());
      request.headers.push_back("Authorization: Basic " + *encoded);
    }
    auto response = http_.get(request);
    if (!response) return fail("token from {}: {}", challenge.parameters.at("realm"), response.error().message);
    if (response->status != 200)
      return fail("the token service {} answered {}", challenge.parameters.at("realm"),
                  status_message(response->status));
    std::string what = "the answer of the token service " + challenge.parameters.at("realm");
    auto json = parse_json(response->body, what, {.max_size = 1 << 20});
    if (!json) return std::unexpected(json.error());
    JsonView answer(*json, what);
    auto token = answer.optional_string("token");
    if (!token) return std::unexpected(token.error());
    if (!*token || (*token)->empty()) {
      token = answer.optional_string("access_token");
      if (!token) return std::unexpected(token.error());
    }
    if (!*token || (*token)->empty())
      return fail("the token service {} sent no token", challenge.parameters.at("realm"));
    if (!is_header_value(**token)) return fail("the token service {} sent a token that is not a header value",
                                               challenge.parameters.at("realm"));
    authorization_ = "Authorization: Bearer " + **token;
    return {};
  }
  return fail("{} asks for authentication ctapp does not speak: '{}'", source_.host,
              unauthorized.headers.contains("www-authenticate") ? unauthorized.headers.at("www-authenticate") : "");
}

bool RegistryClient::past_deadline() const {
  return options_.deadline && std::chrono::steady_clock::now() >= *options_.deadline;
}

std::unexpected<Error> RegistryClient::time_limit_error() const {
  return fail("{}: the pull did not finish within {}; raise it if the registry is this slow",
              source_.name, options_.time_limit.empty() ? "its time limit" : options_.time_limit);
}

Result<HttpResponse> RegistryClient::get(const std::string& path, std::vector<std::string> headers,
                                         const BodySink& sink, int64_t resume_from) {
  bool authenticated_now = false;
  for (int attempt = 0;; ++attempt) {
    HttpRequest request{url(path), headers, options_.tls_verify, resume_from, options_.stall_seconds};
    if (!authorization_.empty()) request.headers.push_back(authorization_);
    if (options_.deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*options_.deadline -
                                                                        std::chrono::steady_clock::now());
      if (left.count() <= 0) return time_limit_error();
      request.total_timeout_ms = static_cast<long>(left.count());
    }
    auto response = http_.get(request, sink);
    if (!response && options_.deadline &&
        (past_deadline() || response.error().message.ends_with(kTimeLimitRanOut)))
      return time_limit_error();
    if (!response) return response;
    if (response->status == 401 && !authenticated_now && path != "/v2/") {
      if (auto authenticated = authenticate(*response); !authenticated)
        return std::unexpected(authenticated.error());
      authenticated_now = true;
      --attempt;
      continue;
    }
    if (retryable(response->status) && attempt + 1 < options_.max_attempts) {
      auto wait = backoff(attempt, &*response);
      if (options_.deadline && std::chrono::steady_clock::now() + wait >= *options_.deadline)
        return time_limit_error();
      std::this_thread::sleep_for(wait);
      continue;
    }
    return response;
  }
}

Result<FetchedManifest> RegistryClient::fetch_manifest(const std::string& reference) {
  std::string bytes;
  auto response = get("/v2/" + source_.repository + "/manifests/" + reference, {kAcceptManifests},
                      [&](long, const char* data, size_t size) {
                        bytes.append(data, size);
                        return bytes.size() <= kMaxImageJson;
                      });
  if (!response) return std::unexpected(response.error());
  if (response->status != 200)
    return fail("{}:{}: {}", source_.name, reference, status_message(response->status));
  if (bytes.size() > kMaxImageJson)
    return fail("{}:{}: the manifest is larger than {} bytes", source_.name, reference, kMaxImageJson);
  auto hash = Sha256::create();
  if (!hash) return std::unexpected(hash.error());
  hash->update(bytes.data(), bytes.size());
  FetchedManifest manifest{std::move(bytes), "", hash->digest(), {}};
  if (reference.starts_with("sha256:") && manifest.digest != reference)
    return fail("{}@{}: the registry sent a manifest whose digest is {}", source_.name, reference,
                manifest.digest);
  std::string content_type =
      media_type_of(response->headers.contains("content-type") ? response->headers.at("content-type") : "");
  if (!content_type.empty() && !is_media_type(content_type))
    return fail("{}:{}: the registry sent a Content-Type header that is not a media type", source_.name,
                reference);
  std::string what = fmt::format("{}: manifest {}", source_.name, manifest.digest);
  auto document = parse_image_json(manifest.bytes, what);
  if (!document) return std::unexpected(document.error());
  auto own_type = JsonView(*document, what).optional_string("mediaType");
  if (!own_type) return std::unexpected(own_type.error());
  manifest.media_type = own_type->value_or(content_type);
  manifest.document = std::move(*document);
  return manifest;
}

Status RegistryClient::fetch_blob(const std::string& digest, int64_t size,
                                  const std::filesystem::path& file, std::atomic<int64_t>* downloaded) {
  auto hash = Sha256::create();
  if (!hash) return std::unexpected(hash.error());
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return fail("create '{}': {}", file.string(), errno_text(errno));
  int64_t written = 0;
  int64_t resumed_from = 0;  // the Range start of the current request
  bool restarted = false;
  std::string write_error;
  auto sink = [&](long status, const char* data, size_t bytes) {
    if (status == 200 && resumed_from > 0 && !restarted) {
      // We asked to resume but the server sends the whole blob: start over.
      if (::ftruncate(fd.get(), 0) < 0 || ::lseek(fd.get(), 0, SEEK_SET) < 0) {
        write_error = errno_text(errno);
        return false;
      }
      if (downloaded) *downloaded -= written;
      written = 0;
      hash = Sha256::create();
      restarted = true;
    }
    if (written + static_cast<int64_t>(bytes) > size) {
      write_error = "more data than the manifest's size";
      return false;
    }
    size_t done = 0;
    while (done < bytes) {
      ssize_t n = ::write(fd.get(), data + done, bytes - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        write_error = errno_text(errno);
        return false;
      }
      done += static_cast<size_t>(n);
    }
    hash->update(data, bytes);
    written += static_cast<int64_t>(bytes);
    if (downloaded) *downloaded += static_cast<int64_t>(bytes);
    return true;
  };
  std::string last_error;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    if (past_deadline()) return time_limit_error();
    int64_t before = written;
    resumed_from = written;
    restarted = false;
    auto response = get("/v2/" + source_.repository + "/blobs/" + digest, {}, sink, written);
    if (!write_error.empty()) return fail("blob {}: {}", digest, write_error);
    if (response && (response->status == 200 || response->status == 206)) {
      if (written == size) break;
      last_error = "the transfer ended after " + std::to_string(written) + " of " + std::to_string(size) + " bytes";
    } else if (response) {
      return fail("blob {} of {}: {}", digest, source_.name, status_message(response->status));
    } else {
      if (past_deadline()) return time_limit_error();
      last_error = response.error().message;
      if (last_error.find("stalled") != std::string::npos) return fail("blob {}: {}", digest, last_error);
    }
    if (written == before) std::this_thread::sleep_for(backoff(attempt, nullptr));
  }
  if (written != size) return fail("blob {} of {}: {} (gave up after {} attempts)", digest, source_.name,
                                    last_error, options_.max_attempts);
  if (std::string actual = hash->digest(); actual != digest)
    return fail("blob {} of {}: the data received hashes to {}: refusing it", digest, source_.name,
                actual);
  if (::fsync(fd.get()) < 0) return fail("fsync '{}': {}", file.string(), errno_text(errno));
  return {};
}

}  // namespace ctapp
