package io.sqlqueue.internal.store;

/**
 * An edge of a workflow: job {@code jobId} runs once job {@code dependsOn} has succeeded, or with
 * {@code runAnyway} once it has finished in any state.
 *
 * @param dependsOn the job waited for
 * @param jobId the job waiting
 * @param runAnyway whether the waiting job runs even when the one it waits for dies or is cancelled
 */
public record Dependency(long dependsOn, long jobId, boolean runAnyway) {
}
