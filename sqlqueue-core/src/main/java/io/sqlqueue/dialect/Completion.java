package io.sqlqueue.dialect;

/**
 * A successful run to record.
 *
 * @param ref the run
 * @param result result JSON, or {@code null}
 * @param logs log lines as a JSON array, or {@code null} to keep what is stored
 */
public record Completion(JobRef ref, String result, String logs) {
}
