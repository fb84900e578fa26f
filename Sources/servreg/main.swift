import Foundation
import ServregCLI

exit(ServregMain.run(arguments: Array(CommandLine.arguments.dropFirst())))
