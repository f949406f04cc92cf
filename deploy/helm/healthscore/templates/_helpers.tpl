{{/* Labels on every object, and the pods' selector labels. */}}
{{- define "healthscore.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
{{- end }}
{{- define "healthscore.selectorLabels" -}}
app.kubernetes.io/component: server
app.kubernetes.io/name: {{ .Chart.Name }}
{{- end }}
