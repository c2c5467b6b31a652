// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kube/kube_image.h"

#include <fmt/format.h>

#include "core/image_reference.h"
#include "kube/kube_values.h"

namespace ctapp {

KubeImage kube_image(const AppConfig& app, const AppVersions& versions) {
  KubeImage image;
  std::string label = kube_label(app.name);
  if (!app.rootfs.empty()) {
    image.reference = fmt::format("registry.invalid/{}:rootfs", label);
    image.unexpressed.push_back(fmt::format(
        "app '{}': rootfs '{}' is a directory on this machine; build an image from it, push it "
        "to a registry and replace '{}'",
        app.name, app.rootfs, image.reference));
    return image;
  }
  auto ref = parse_image_reference(app.image);
  if (!ref) {  // the parser accepted it, so this is not expected; keep it as written
    image.reference = app.image;
    return image;
  }
  if (ref->transport != ImageReference::Transport::kDocker) {
    image.reference = fmt::format("registry.invalid/{}:{}", label, kube_label(ref->version()));
    image.unexpressed.push_back(fmt::format(
        "app '{}': image '{}' is an OCI layout on this machine, which a cluster cannot pull; "
        "push it (skopeo copy {} docker://REGISTRY/{}:{}) and replace '{}'",
        app.name, app.image, app.image, label, kube_label(ref->version()), image.reference));
    return image;
  }
  const AppVersion* version = versions.latest_for(ref->canonical());
  if (!ref->digest.empty() || version == nullptr) {
    image.reference = app.image;
    if (ref->digest.empty())
      image.notes.push_back(fmt::format(
          "app '{}': image '{}' as written; no version of it is prepared on this machine, so no "
          "digest is pinned",
          app.name, app.image));
    return image;
  }
  image.reference = fmt::format("{}/{}{}@{}", ref->registry, ref->repository,
                                ref->tag.empty() ? "" : ":" + ref->tag, version->digest);
  image.notes.push_back(fmt::format("app '{}': image '{}' pinned to the digest this machine runs",
                                    app.name, app.image));
  return image;
}

}  // namespace ctapp
