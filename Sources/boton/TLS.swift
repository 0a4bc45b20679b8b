import BotonNet
import Foundation
import BotonRuntime

/// `boton tls generate`: the development certificate for the TLS ingestion port (and HTTPS).
let tlsCommand = Command(
    "tls", summary: "Certificates for the TLS ports.",
    subcommands: [
        Command("generate", summary: "Write a self-signed certificate and key to ingest.tls_certificate/tls_key.",
                details: """
                For development and first start (Scripts/run calls it with --if-missing). The certificate is an EC \
                P-256 key signed with SHA-256, valid for --host, localhost and 127.0.0.1. In production, point \
                ingest.tls_certificate and ingest.tls_key at the real chain instead.
                """,
                options: [
                    CommonOptions.config, CommonOptions.set,
                    .init("--host", value: "NAME", help: "Name the certificate is issued to (default: this host)."),
                    .init("--days", value: "N", help: "Validity in days (default 825)."),
                    .init("--if-missing", help: "Do nothing when both files already exist."),
                ]) { args in
            let context = try CommandContext(args)
            let certificate = context.configuration.resolve(context.configuration.ingest.tlsCertificate)
            let key = context.configuration.resolve(context.configuration.ingest.tlsKey)
            let files = FileManager.default
            if args.flag("--if-missing") && files.fileExists(atPath: certificate) && files.fileExists(atPath: key) {
                return 0
            }
            let days = try args.int("--days") ?? 825
            guard (1 ... 3650).contains(days) else {
                throw UsageError(path: args.path, message: "--days is 1 to 3650")
            }
            for path in [certificate, key] {
                try files.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                          withIntermediateDirectories: true)
            }
            let host = args.value("--host") ?? ProcessInfo.processInfo.hostName
            try SelfSignedCertificate.write(certificatePath: certificate, keyPath: key, host: host, days: days)
            context.logger.info("tls_certificate_written", ["certificate": certificate, "key": key, "host": host,
                                                            "days": String(days)])
            return 0
        },
    ])
