package io.github.citusjdbc.tenant;

import java.lang.instrument.Instrumentation;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * Records every driver method (and constructor) entered on one thread while tracing: a Java agent
 * (Byte Buddy, attached at run time, tests only) adds a call to {@link #hit} at the start of each
 * method of the classes loaded from the driver's own code source, and of pgjdbc's
 * {@code getTransactionState}. {@link #close} removes the instrumentation again, so that the tests
 * after it run the driver's classes as built.
 */
public final class MethodTrace implements AutoCloseable {

    private static volatile Thread traced;
    private static final List<String> CALLS = new ArrayList<>();

    private final Instrumentation instrumentation;
    private final ResettableClassFileTransformer transformer;

    private MethodTrace(Instrumentation instrumentation, ResettableClassFileTransformer transformer) {
        this.instrumentation = instrumentation;
        this.transformer = transformer;
    }

    /** Instruments the classes loaded from {@code driverClass}'s code source (and pgjdbc's transaction state). */
    public static MethodTrace install(Class<?> driverClass) {
        CodeSource driverCode = driverClass.getProtectionDomain().getCodeSource();
        String driverLocation = driverCode.getLocation().toString();
        Instrumentation inst = ByteBuddyAgent.install();
        List<String> errors = new ArrayList<>();
        java.util.Set<String> transformed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AgentBuilder.Listener failures = new AgentBuilder.Listener.Adapter() {
            @Override
            public void onError(String typeName, ClassLoader loader, net.bytebuddy.utility.JavaModule module,
                                boolean loaded, Throwable throwable) {
                synchronized (errors) {
                    errors.add(typeName + ": " + throwable);
                }
            }

            @Override
            public void onTransformation(net.bytebuddy.description.type.TypeDescription type, ClassLoader loader,
                                         net.bytebuddy.utility.JavaModule module, boolean loaded,
                                         net.bytebuddy.dynamic.DynamicType dynamicType) {
                transformed.add(type.getName());
            }
        };
        AgentBuilder.RawMatcher fromDriver = (type, loader, module, redefined, domain) ->
                fromLocation(domain, driverLocation) && !type.getName().equals(MethodTrace.class.getName());
        ResettableClassFileTransformer t = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(failures)
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.Reiterating.INSTANCE)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .type(fromDriver)
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(Entered.class)
                        .on(ElementMatchers.isMethod().or(ElementMatchers.isConstructor())
                                .and(ElementMatchers.not(ElementMatchers.isAbstract()))
                                .and(ElementMatchers.not(ElementMatchers.isNative())))))
                .type(ElementMatchers.named("org.postgresql.jdbc.PgConnection"))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(Entered.class)
                        .on(ElementMatchers.named("getTransactionState"))))
                .installOn(inst);
        for (Class<?> loaded : inst.getAllLoadedClasses()) { // loaded before: each must have been retransformed
            if (fromLocation(loaded.getProtectionDomain(), driverLocation) && !loaded.isInterface()
                    && !loaded.isSynthetic() && !loaded.getName().equals(MethodTrace.class.getName())
                    && !loaded.getName().startsWith(MethodTrace.class.getName() + "$")
                    && !transformed.contains(loaded.getName())) {
                synchronized (errors) {
                    errors.add(loaded.getName() + ": loaded but not instrumented");
                }
            }
        }
        synchronized (errors) {
            if (!errors.isEmpty()) { // a class left uninstrumented would make every trace too short
                t.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
                throw new IllegalStateException("driver classes could not be instrumented: " + errors);
            }
        }
        return new MethodTrace(inst, t);
    }

    private static boolean fromLocation(ProtectionDomain domain, String location) {
        return domain != null && domain.getCodeSource() != null && domain.getCodeSource().getLocation() != null
                && domain.getCodeSource().getLocation().toString().equals(location);
    }

    /** Starts recording the calling thread's calls (forgetting earlier ones). */
    public void start() {
        synchronized (CALLS) {
            CALLS.clear();
        }
        traced = Thread.currentThread();
    }

    /** @return the calls recorded since {@link #start}, in order ({@code package.Class.method(descriptor)}) */
    public List<String> stop() {
        traced = null;
        synchronized (CALLS) {
            return List.copyOf(CALLS);
        }
    }

    /** Called by the instrumented methods. */
    public static void hit(String method) {
        if (Thread.currentThread() == traced) {
            synchronized (CALLS) {
                CALLS.add(method);
            }
        }
    }

    @Override
    public void close() {
        traced = null;
        transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }

    /** The advice inlined at the start of every instrumented method. */
    public static final class Entered {
        private Entered() {
        }

        @Advice.OnMethodEnter
        public static void enter(@Advice.Origin("#t.#m#d") String method) {
            MethodTrace.hit(method);
        }
    }
}
