# The quota plan the Cloud Tasks queues are derived from: the same figures as the API's env
# (GMAIL_PROJECT_QUOTA_UNITS, GMAIL_QUOTA_UNITS, GMAIL_QUOTA_UTILISATION, CALENDAR_PROJECT_QUOTA_REQUESTS).
# Change the variables, not the numbers in main.tf. With the defaults (Google's limits, batch requests of 50):
#
#   Gmail units a second the product plans:   1,200,000 × 0.95 / 60              = 19,000 units/s
#   runs a second if each run is one request: 19,000 / (50 messages × 5 units)   = 76 runs/s
#   ingest-* max_dispatches_per_second:       ceil(76 × 1.5 headroom)             = 114
#     (a run smaller than one batch request is overhead; a lower rate would leave quota unspent: each
#      queue gets the whole rate, since the scheduler, not the queue, orders high before low)
#   users at their full per-user rate:        1,200,000 / 6,000                  = 200
#   ingest-* max_concurrent_dispatches:       200
#     (a user has one batch in flight; past 200 runs at once the same units are only split thinner, and
#      the instances — Cloud Run max instances × TASK_WORKERS — need not hold more)
#   writeback max_dispatches_per_second:      ceil(10,000 × 0.95 / 60)            = 159 (Calendar requests)
#   retry backoff:                            one tick (60 s / 60 = 1 s) … one window (60 s), 6 doublings
#
# bench/scale/simulate.ts runs this plan at 10,000 users (SIM_QUOTA=google).

variable "gmail_project_quota_units" {
  type        = number
  default     = 1200000
  description = "Gmail quota units per minute for the whole Google project (GMAIL_PROJECT_QUOTA_UNITS)."
}

variable "gmail_user_quota_units" {
  type        = number
  default     = 6000
  description = "Gmail quota units per minute per user (GMAIL_QUOTA_UNITS)."
}

variable "gmail_quota_utilisation" {
  type        = number
  default     = 0.95
  description = "Share of each limit the product plans to use (GMAIL_QUOTA_UTILISATION)."
}

variable "gmail_units_per_message" {
  type        = number
  default     = 5
  description = "Units of one messages.get (Google's price)."
}

variable "batch_request_messages" {
  type        = number
  default     = 50
  description = "Messages per Gmail batch request: the smallest run worth dispatching."
}

variable "calendar_project_quota_requests" {
  type        = number
  default     = 10000
  description = "Calendar requests per minute for the whole project (CALENDAR_PROJECT_QUOTA_REQUESTS)."
}

variable "dispatch_headroom" {
  type        = number
  default     = 1.5
  description = "Dispatch rate over the planned run rate (runs shorter than one request, retries)."
}

variable "writeback_concurrency" {
  type        = number
  default     = 20
  description = "Calendar write-backs in flight at once."
}

locals {
  quota_window_s      = 60
  gmail_units_per_s   = var.gmail_project_quota_units * var.gmail_quota_utilisation / local.quota_window_s
  runs_per_s          = local.gmail_units_per_s / (var.batch_request_messages * var.gmail_units_per_message)
  full_rate_backfills = floor(var.gmail_project_quota_units / var.gmail_user_quota_units)
  ingest = {
    rate       = ceil(local.runs_per_s * var.dispatch_headroom)
    concurrent = local.full_rate_backfills
  }
  queues = {
    "ingest-high" = local.ingest
    "ingest-low"  = local.ingest
    "writeback" = {
      rate       = ceil(var.calendar_project_quota_requests * var.gmail_quota_utilisation / local.quota_window_s)
      concurrent = var.writeback_concurrency
    }
  }
  # One scheduler tick (window / 60) to one quota window.
  retry_min_backoff_s = local.quota_window_s / 60
  retry_max_backoff_s = local.quota_window_s
  retry_max_doublings = ceil(log(local.quota_window_s, 2))
}
