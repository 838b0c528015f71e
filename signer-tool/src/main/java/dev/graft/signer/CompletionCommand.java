package dev.graft.signer;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code graft completion}: a bash (and zsh) completion script for the whole command tree. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = "Prints a bash/zsh completion script for graft.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  source <(graft completion)                      this shell only",
      "  graft completion > /etc/bash_completion.d/graft  every new shell"
    })
final class CompletionCommand implements Runnable {
  private final CliContext context;
  @Spec private CommandSpec spec;

  CompletionCommand(CliContext context) {
    this.context = context;
    this.spec = CommandSpec.create();
  }

  @Override
  public void run() {
    CommandLine root = spec.root().commandLine();
    context.terminal().out().print(AutoComplete.bash("graft", root));
    context.terminal().out().flush();
  }
}
