output "api_url" {
  value = google_cloud_run_v2_service.api.uri
}

output "tasks_service_account" {
  value = google_service_account.tasks_invoker.email
}

output "queue_rate_limits" {
  description = "The Cloud Tasks rate limits derived from the quota plan (quota-plan.tf)."
  value       = local.queues
}
