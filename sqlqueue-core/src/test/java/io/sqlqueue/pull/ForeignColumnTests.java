package io.sqlqueue.pull;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.ClaimedJob;
import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.internal.store.JsonText;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metadata and log columns written by another tool (a migration script, a hand-made fix) in a shape
 * sqlqueue does not write never fail a read: otherwise one such row would fail every claim it is part
 * of, and the jobs claimed with it would loop through lease expiry.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class ForeignColumnTests {

	@Parameter
	TestDatabase db;

	JdbcJobQueue jobs;

	JdbcTemplate jdbc;

	@BeforeEach
	void setUp() {
		QueueFixture fixture = QueueFixture.fresh(this.db);
		this.jobs = fixture.queue();
		this.jdbc = new JdbcTemplate(fixture.dataSource());
	}

	@Test
	void rowsWithForeignMetadataAndLogsAreClaimedWithTheirNeighbours() {
		long nested = this.jobs.enqueue("sync", "a", EnqueueOptions.defaults().withQueue("q"));
		long scalar = this.jobs.enqueue("sync", "b", EnqueueOptions.defaults().withQueue("q"));
		long plain = this.jobs.enqueue("sync", "c", EnqueueOptions.defaults().withQueue("q").withMetadata("k", "v"));
		overwrite(nested, "{\"tenant\":{\"id\":7},\"retries\":3,\"tags\":[\"x\"]}", "[\"one\",{\"level\":\"warn\"},2]");
		overwrite(scalar, "\"just a string\"", "{\"not\":\"a list\"}");

		List<ClaimedJob> claimed = this.jobs.claim("q", 10, Duration.ofMinutes(1));

		assertThat(claimed).extracting(ClaimedJob::id).containsExactlyInAnyOrder(nested, scalar, plain);
		Job nestedJob = this.jobs.find(nested).orElseThrow();
		assertThat(nestedJob.metadata()).containsEntry("retries", "3")
			.containsEntry("tenant", "{\"id\":7}")
			.containsEntry("tags", "[\"x\"]");
		assertThat(nestedJob.logs()).containsExactly("one", "{\"level\":\"warn\"}", "2");
		Job scalarJob = this.jobs.find(scalar).orElseThrow();
		assertThat(scalarJob.metadata()).containsOnlyKeys(JsonText.UNREADABLE);
		assertThat(scalarJob.logs()).containsExactly("{\"not\":\"a list\"}");
		assertThat(this.jobs.find(plain).orElseThrow().metadata()).containsExactly(java.util.Map.entry("k", "v"));
		assertThat(claimed).allSatisfy((c) -> assertThat(c.complete()).isTrue());
	}

	private void overwrite(long id, String metadata, String logs) {
		String json = (this.db == TestDatabase.POSTGRESQL) ? "CAST(? AS jsonb)" : "?";
		this.jdbc.update("UPDATE sqlqueue_job SET metadata = " + json + ", logs = ? WHERE id = ?", metadata, logs, id);
	}

}
