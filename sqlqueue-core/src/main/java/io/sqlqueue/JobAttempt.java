package io.sqlqueue;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A failed attempt of a job, as its attempt history keeps it: every run that failed (retried, dead-lettered,
 * timed out, or failed while its cancellation was requested) until the job is deleted. Successful runs, snoozes
 * and runs given back unfinished at shutdown are not attempts that failed, and leave no row.
 *
 * <pre>{@code
 * for (JobAttempt failed : jobs.attempts(id)) {
 *     log.info("attempt {} on {}: {}", failed.attempt(), failed.node(), failed.error());
 * }
 * }</pre>
 *
 * @param jobId the job
 * @param attempt the attempt's number, 1 for the first run
 * @param outcome what the failure did to the job: {@link JobState#READY} when it was retried, {@link JobState#DEAD}
 * or {@link JobState#CANCELLED}
 * @param node the worker node (or the claimer of a job claimed by hand) that ran it
 * @param endedAt when its outcome was recorded (database clock)
 * @param error what failed: the exception, or the reason a claimer gave
 * @param stackTrace the stack trace with its causes, cut at 16,000 characters; {@code null} without an exception
 */
public record JobAttempt(long jobId, int attempt, JobState outcome, @Nullable String node, Instant endedAt,
		String error, @Nullable String stackTrace) {
}
