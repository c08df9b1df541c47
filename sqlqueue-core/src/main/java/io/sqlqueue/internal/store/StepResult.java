package io.sqlqueue.internal.store;

import io.sqlqueue.JobState;

/**
 * What a step that another depends on left: its name, state and result JSON.
 *
 * @param step the step's name
 * @param jobId its job
 * @param state its state
 * @param result its result JSON, or {@code null}
 */
public record StepResult(String step, long jobId, JobState state, String result) {
}
