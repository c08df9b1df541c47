package io.sqlqueue.spring.e2e;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.test.context.TestPropertySource;

import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

@TestPropertySource(properties = "e2e.database=SQLITE")
class SqliteStarterEndToEndTests extends AbstractStarterEndToEndTests {

	@BeforeAll
	static void emptyDatabase() {
		TestDatabases.dropAllTables(TestDatabase.SQLITE, TestDatabases.dataSource(TestDatabase.SQLITE));
	}

	@Override
	TestDatabase database() {
		return TestDatabase.SQLITE;
	}

}
