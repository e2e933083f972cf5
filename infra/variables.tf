variable "project" {
  type        = string
  description = "Google Cloud project id."
}

variable "region" {
  type        = string
  default     = "europe-west1"
  description = "Region for Cloud Run, Cloud SQL and Cloud Tasks."
}

variable "image" {
  type        = string
  description = "Container image of the API (built from apps/api/Dockerfile)."
}

variable "db_tier" {
  type        = string
  default     = "db-custom-2-7680"
  description = "Cloud SQL machine tier."
}
