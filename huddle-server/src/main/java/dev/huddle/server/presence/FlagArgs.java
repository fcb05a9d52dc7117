package dev.huddle.server.presence;

import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import java.util.Optional;

/**
 * The flags a call asks to set (H5), read the same way over HTTP and WebSocket: {@code isSpeaking}
 * and {@code isRecording}, each optional and boolean.
 */
public record FlagArgs(Optional<Boolean> speaking, Optional<Boolean> recording) {

    /** The flags of a call that exists to set them: 400 {@code invalid_argument} when it gives neither. */
    public static FlagArgs atLeastOne(Args args) {
        FlagArgs flags = new FlagArgs(args.optionalBoolean(SessionData.IS_SPEAKING),
                args.optionalBoolean(SessionData.IS_RECORDING));
        if (flags.speaking.isEmpty() && flags.recording.isEmpty()) {
            throw ApiException.invalidArgument("isSpeaking", "or isRecording is required");
        }
        return flags;
    }
}
