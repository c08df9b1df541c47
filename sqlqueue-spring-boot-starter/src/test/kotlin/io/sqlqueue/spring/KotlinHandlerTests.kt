package io.sqlqueue.spring

import io.sqlqueue.JdbcJobQueue
import io.sqlqueue.JobContext
import io.sqlqueue.JobEventListener.Outcome
import io.sqlqueue.worker.JobRun
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration
import org.springframework.boot.test.context.runner.ApplicationContextRunner
import org.springframework.context.annotation.Bean
import org.springframework.context.annotation.Configuration
import java.util.UUID
import java.util.concurrent.CopyOnWriteArrayList

/** A payload as Kotlin code writes it: a data class, with a default value and a nullable property. */
data class Greeting(val name: String, val times: Int = 1, val note: String? = null)

/** A handler written in Kotlin: a plain (not suspending) function of a Spring bean. */
class KotlinGreeter {

    val greeted = CopyOnWriteArrayList<Greeting>()

    @JobHandler("kotlin-greet")
    fun greet(greeting: Greeting, context: JobContext): String {
        greeted.add(greeting)
        context.log("greeted ${greeting.name} ${greeting.times} times")
        return "Hello ${greeting.name}"
    }

}

@Configuration(proxyBeanMethods = false)
class KotlinHandlers {

    @Bean
    fun kotlinGreeter() = KotlinGreeter()

}

/** The starter finds a Kotlin handler and binds its data class payload through Jackson's Kotlin module. */
class KotlinHandlerTests {

    private val runner = ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration::class.java,
            DataSourceAutoConfiguration::class.java, SqlQueueAutoConfiguration::class.java))
        .withUserConfiguration(KotlinHandlers::class.java)
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:${UUID.randomUUID()};DB_CLOSE_DELAY=-1",
            "sqlqueue.worker.mode=manual")

    @Test
    fun aKotlinHandlerIsFoundAndItsDataClassPayloadBound() {
        runner.run { context ->
            assertThat(context).hasNotFailed()
            val registry = context.getBean(JobHandlerRegistry::class.java)
            assertThat(registry.endpoints().map { it.spec().type() }).containsExactly("kotlin-greet")
            assertThat(registry.endpoints().single().spec().payloadType()).isEqualTo(Greeting::class.java)

            val queue = context.getBean(JdbcJobQueue::class.java)
            val typed = queue.enqueue(Greeting("Ada", times = 2))
            // written by something other than Kotlin code: the default and the null come from the data class
            val untyped = queue.enqueue("kotlin-greet", mapOf("name" to "Bob"))
            val runs = registry.worker().orElseThrow().drain()

            assertThat(runs.map(JobRun::outcome)).containsExactly(Outcome.SUCCEEDED, Outcome.SUCCEEDED)
            assertThat(context.getBean(KotlinGreeter::class.java).greeted)
                .containsExactly(Greeting("Ada", 2, null), Greeting("Bob", 1, null))
            assertThat(queue.find(typed).orElseThrow().result()).isEqualTo("\"Hello Ada\"")
            assertThat(queue.find(untyped).orElseThrow().logs()).containsExactly("greeted Bob 1 times")
        }
    }

}
