/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.authentication.k8s.io ExecCredential plugins: the kubeconfig's
 * user.exec command is run without a shell, its JSON answer read as a
 * small tree, and the token or client certificate taken into the config.
 */
#pragma once

#include "virt-caps/kubeconfig.h"

/**
 * Run an ExecCredential plugin (client.authentication.k8s.io) and take
 * its token or client certificate into @cfg. Returns 0 or -EINVAL.
 */
int vc_execcred_apply(struct vc_kube_config *cfg);
