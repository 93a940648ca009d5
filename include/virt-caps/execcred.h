/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.authentication.k8s.io ExecCredential plugins: the kubeconfig's
 * user.exec command is run without a shell, its JSON answer read as a
 * small tree, and the token or client certificate taken into the config.
 */
#pragma once

#include "virt-caps/kubeconfig.h"

/** Default of --exec-timeout, in seconds. */
#define VC_EXEC_TIMEOUT_DEFAULT 60

/** Whether ExecCredential @api_version is one client-go accepts (v1, v1beta1). */
bool vc_execcred_api_known(const char *api_version);

/**
 * Run an ExecCredential plugin (client.authentication.k8s.io) and take
 * its token or client certificate into @cfg. The plugin runs in its own
 * process group with at most @timeout_s seconds and 1 MiB of output; its
 * output ends when it exits (a child left holding its standard output is
 * not waited for), and whatever remains of the group is killed. A token
 * with a control character is refused, and so is an answer whose
 * apiVersion is not the configured one. Returns 0 or -EINVAL after one
 * error line naming the plugin (never its output).
 */
int vc_execcred_apply(struct vc_kube_config *cfg, unsigned long timeout_s);
