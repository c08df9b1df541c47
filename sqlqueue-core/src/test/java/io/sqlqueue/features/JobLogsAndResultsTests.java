package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.json.JsonMapper;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.Job;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.worker.Retention;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

/**
 * Job logs and results (seed sqlq's {@code AttachLogger} and {@code AttachResultWriter}): stored
 * with the job, bounded, readable through {@code find(id)}, and deleted with the job.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class JobLogsAndResultsTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	@AfterEach
	void stopWorkers() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void logLinesAndAJsonResultAreStoredWithTheJobAndTheLogKeepsItsLast100Lines() {
		this.fixture = QueueFixture.fresh(this.db);
		this.fixture.start(this.fixture.worker().handler("report", String.class, (name, ctx) -> {
			for (int i = 0; i < 150; i++) {
				ctx.log("line " + i);
			}
			ctx.setResult(Map.of("report", name, "rows", 42, "pages", List.of(1, 2, 3)));
		}));

		long id = this.fixture.queue().enqueue("report", "sales");

		Job job = this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(job.logs()).hasSize(100);
		assertThat(job.logs().get(0)).isEqualTo("line 50");
		assertThat(job.logs().get(99)).isEqualTo("line 149");
		assertThat(json.readTree(job.result()))
			.isEqualTo(json.readTree("{\"report\":\"sales\",\"rows\":42,\"pages\":[1,2,3]}"));
	}

	@Test
	void logsOfEveryAttemptAreKeptInOrder() {
		this.fixture = QueueFixture.fresh(this.db);
		this.fixture.start(this.fixture.worker().handler("flaky", String.class, (name, ctx) -> {
			ctx.log("attempt " + ctx.attempt() + " starts");
			if (ctx.attempt() == 1) {
				throw new IllegalStateException("remote service unavailable");
			}
			ctx.log("attempt " + ctx.attempt() + " done");
		}));

		long id = this.fixture.queue().enqueue("flaky", "x");

		Job job = this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(job.logs()).containsExactly("attempt 1 starts", "attempt 2 starts", "attempt 2 done");
		assertThat(job.result()).isNull();
	}

	@Test
	void aResultOver64KiBIsRefusedWithAClearError() {
		this.fixture = QueueFixture.fresh(this.db);
		this.fixture.start(this.fixture.worker()
			.handler("huge", String.class, (name, ctx) -> ctx.setResult("x".repeat(70_000))));

		long id = this.fixture.queue().enqueue("huge", "x", EnqueueOptions.defaults().withMaxAttempts(1));

		Job job = this.fixture.awaitState(id, JobState.DEAD);
		assertThat(job.lastError()).contains("Result of job " + id + " is 70002 bytes of JSON")
			.contains("over the limit of 65536 bytes");
		assertThat(job.result()).isNull();
	}

	@Test
	void logsAndResultAreDeletedWithTheJobByRetention() {
		this.fixture = QueueFixture.fresh(this.db);
		this.fixture.start(this.fixture.worker().handler("report", String.class, (name, ctx) -> {
			ctx.log("working on " + name);
			ctx.setResult(Map.of("report", name));
		}));
		long shortLived = this.fixture.queue().enqueue("report", "short",
				EnqueueOptions.defaults().withRetention(Duration.ZERO));
		long kept = this.fixture.queue().enqueue("report", "kept");
		this.fixture.awaitState(shortLived, JobState.SUCCEEDED);
		assertThat(this.fixture.awaitState(kept, JobState.SUCCEEDED).logs()).containsExactly("working on kept");
		Maintenance maintenance = Internals.maintenance(this.fixture.queue(), Retention.DEFAULT);

		await().atMost(QueueFixture.PATIENCE).untilAsserted(() -> {
			maintenance.clean();
			assertThat(this.fixture.queue().find(shortLived)).isEmpty();
		});
		Job survivor = this.fixture.job(kept);
		assertThat(survivor.logs()).containsExactly("working on kept");
		assertThat(survivor.result()).isNotNull();
	}

}
