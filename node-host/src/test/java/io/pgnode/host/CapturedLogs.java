package io.pgnode.host;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what one class logs while open, for tests about what an operator reads in the log. */
public final class CapturedLogs implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level level;

    private CapturedLogs(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
        this.level = logger.getLevel();
        logger.setLevel(Level.INFO); // the tests' logback config keeps the node quiet below WARN
        appender.start();
        logger.addAppender(appender);
    }

    public static CapturedLogs of(Class<?> source) {
        return new CapturedLogs(source);
    }

    /** "LEVEL message" of each event so far. */
    public List<String> lines() {
        return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(level);
        appender.stop();
    }
}
