# Production on Google Cloud: Cloud Run (API + built SPA), Cloud SQL (PostgreSQL), Cloud Tasks queues,
# a service account for task OIDC tokens, and secrets. `terraform init && terraform apply -var project=...`.
# Not exercised by CI (no cloud access here); `terraform validate` is the check to run where Terraform exists.

terraform {
  required_version = ">= 1.6"
  required_providers {
    google = { source = "hashicorp/google", version = "~> 6.0" }
  }
}

provider "google" {
  project = var.project
  region  = var.region
}

resource "google_service_account" "api" {
  account_id   = "firstlight-api"
  display_name = "Firstlight API (Cloud Run)"
}

# Cloud Tasks signs each HTTP task with an OIDC token for this account; /tasks/* verifies it.
resource "google_service_account" "tasks_invoker" {
  account_id   = "firstlight-tasks"
  display_name = "Firstlight Cloud Tasks invoker"
}

resource "google_sql_database_instance" "main" {
  name             = "firstlight"
  database_version = "POSTGRES_16"
  settings {
    tier = var.db_tier
    backup_configuration { enabled = true }
  }
  deletion_protection = true
}

resource "google_sql_database" "firstlight" {
  name     = "firstlight"
  instance = google_sql_database_instance.main.name
}

resource "google_secret_manager_secret" "database_url" {
  secret_id = "firstlight-database-url"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret" "google_client_secret" {
  secret_id = "firstlight-google-client-secret"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret" "token_key" {
  secret_id = "firstlight-token-encryption-key"
  replication {
    auto {}
  }
}

# Ingestion tiers: high (the next 1000 messages) and low (the archive); write-backs to Calendar. Rates come
# from the quota plan (quota-plan.tf), not from guesses: the project scheduler decides WHO spends Google's
# units; the queues only keep dispatch overhead and instance load in proportion to what can be spent.
resource "google_cloud_tasks_queue" "queues" {
  for_each = local.queues
  name     = each.key
  location = var.region
  rate_limits {
    max_dispatches_per_second = each.value.rate
    max_concurrent_dispatches = each.value.concurrent
  }
  # Retries are for failures only (5xx, an instance that died): a batch refused by the quota answers 2xx
  # and re-enqueues itself at its retryInMs (scheduleTime). Backoff from one scheduler tick to one quota
  # window: past a window, waiting longer finds no more quota.
  retry_config {
    max_attempts  = -1
    min_backoff   = "${local.retry_min_backoff_s}s"
    max_backoff   = "${local.retry_max_backoff_s}s"
    max_doublings = local.retry_max_doublings
  }
}

resource "google_cloud_run_v2_service" "api" {
  name     = "firstlight"
  location = var.region
  template {
    service_account = google_service_account.api.email
    containers {
      image = var.image
      env {
        name  = "HOST"
        value = "0.0.0.0"
      }
      env {
        name = "DATABASE_URL"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.database_url.secret_id
            version = "latest"
          }
        }
      }
    }
    volumes {
      name = "cloudsql"
      cloud_sql_instance { instances = [google_sql_database_instance.main.connection_name] }
    }
  }
}

resource "google_cloud_run_v2_service_iam_member" "tasks_can_invoke" {
  name     = google_cloud_run_v2_service.api.name
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.tasks_invoker.email}"
}
