{{/* The release's base name: the release name, with the chart's unless it already contains it. */}}
{{- define "promptcanary.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "promptcanary.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component (api or worker): call with (dict "root" $ "component" "api"). */}}
{{- define "promptcanary.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "promptcanary.secretName" -}}
{{- default (include "promptcanary.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* One probe from its values: call with (dict "probe" .Values.api.probes.liveness). */}}
{{- define "promptcanary.probe" -}}
httpGet:
  path: {{ .probe.path }}
  port: {{ .probe.port }}
periodSeconds: {{ .probe.periodSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end -}}

{{/* The environment both processes share: the ConfigMap, the Secret, and the TLS files' paths. */}}
{{- define "promptcanary.envFrom" -}}
- configMapRef:
    name: {{ include "promptcanary.fullname" . }}
- secretRef:
    name: {{ include "promptcanary.secretName" . }}
{{- end -}}

{{- define "promptcanary.tlsEnv" -}}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.existingSecret }}
- name: PROMPTCANARY_TEMPORAL_TLS_CERT
  value: {{ printf "%s/%s" .Values.temporal.tls.mountPath .Values.temporal.tls.certKey | quote }}
- name: PROMPTCANARY_TEMPORAL_TLS_KEY
  value: {{ printf "%s/%s" .Values.temporal.tls.mountPath .Values.temporal.tls.keyKey | quote }}
{{- if .Values.temporal.tls.caKey }}
- name: PROMPTCANARY_TEMPORAL_TLS_CA
  value: {{ printf "%s/%s" .Values.temporal.tls.mountPath .Values.temporal.tls.caKey | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "promptcanary.tlsVolumeMounts" -}}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.existingSecret }}
volumeMounts:
  - name: temporal-tls
    mountPath: {{ .Values.temporal.tls.mountPath }}
    readOnly: true
{{- end }}
{{- end -}}

{{- define "promptcanary.tlsVolumes" -}}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.existingSecret }}
volumes:
  - name: temporal-tls
    secret:
      secretName: {{ .Values.temporal.tls.existingSecret }}
{{- end }}
{{- end -}}

{{- define "promptcanary.metricsAnnotations" -}}
{{- if .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: {{ .root.Values.metrics.path | quote }}
{{- end }}
{{- end -}}
