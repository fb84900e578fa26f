function __servreg_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __servreg_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __servreg_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __servreg_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __servreg_parse_tokens -S
    set -l unparsed_tokens (__servreg_tokens -pc)
    switch $unparsed_tokens[1]
    case 'servreg'
        __servreg_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'register'
            __servreg_parse_subcommand -r 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'prop=+' 'props-json=+' 'client=' 'value=' 'value-file=' 'factory-timeout=' 'ranking=' 'scope=' 'name=' 'existing=' 'ttl=' 'owner-pid=' 'requires=+' 'stop-timeout=' 'once' 'hold=+' 'factory=+' 'release=+' 'version' 'h/help'
        case 'get'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'filter=' 'min=' 'max=' 'include-unsatisfied' 'value' 'client=' 'version' 'h/help'
        case 'get-all'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'filter=' 'min=' 'max=' 'include-unsatisfied' 'limit=' 'count' 'registered-by=' 'version' 'h/help'
        case 'props'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'value' 'client=' 'version' 'h/help'
        case 'set-props'
            __servreg_parse_subcommand -r 2 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'prop=+' 'props-json=+' 'unset=+' 'replace' 'if-rev=' 'ttl=' 'value=' 'value-file=' 'version' 'h/help'
        case 'unregister'
            __servreg_parse_subcommand -r 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'filter=' 'dry-run' 'include-unsatisfied' 'if-rev=' 'version' 'h/help'
        case 'specs'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'version' 'h/help'
        case 'listen'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'filter=' 'since=' 'initial' 'count=' 'timeout=' 'exec-fail-stop' 'exec=+' 'version' 'h/help'
        case 'renew'
            __servreg_parse_subcommand -r 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'version' 'h/help'
        case 'keepalive'
            __servreg_parse_subcommand -r 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'version' 'h/help'
        case 'unget'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'client=' 'value=' 'value-file=' 'version' 'h/help'
        case 'deps'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'version' 'h/help'
        case 'graph'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'dot' 'version' 'h/help'
        case 'apply'
            __servreg_parse_subcommand -r 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'prune' 'diff' 'version' 'h/help'
        case 'hook'
            __servreg_parse_subcommand -r 4 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'spec=' 'name=' 'timeout=' 'version' 'h/help'
        case 'schema'
            __servreg_parse_subcommand -r 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'closed' 'check' 'version' 'h/help'
        case 'run'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'keep-going' 'atomic' 'x' 'version' 'h/help'
        case 'shell'
            __servreg_parse_subcommand 0 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'version' 'h/help'
        case 'export'
            __servreg_parse_subcommand 0 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'version' 'h/help'
        case 'import'
            __servreg_parse_subcommand 1 'store=' 'cacert=' 'cert=' 'key=' 'json' 'q/quiet' 'version' 'h/help'
        case 'help'
            __servreg_parse_subcommand -r 1 'version'
        end
    end
end

function __servreg_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __servreg_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __servreg_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __servreg_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__servreg_tokens -p)
    if test -z "$(__servreg_tokens -t)"
        set -l index (count (__servreg_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'servreg' -f
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'register' -d 'Register a service; prints its new service.id.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'get' -d 'Print the best service of a specification (exit 1 if none).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'get-all' -d 'Print all matching services in order (exit 1 if none).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'props' -d 'Print all properties of one service, typed (exit 1 if unknown).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'set-props' -d 'Change properties of a service (merge by default).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'unregister' -d 'Remove services by id, or every service a filter matches.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'specs' -d 'List the specification names in use, with their service counts.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'listen' -d 'Print service events as other processes commit them, until Ctrl-C.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'renew' -d 'Extend the lease of services by their TTL, from now.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'keepalive' -d 'Renew the leases of services every TTL/3 until interrupted.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'unget' -d 'Let go of a service\'s value: a client no longer uses it.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'deps' -d 'Show what a service requires, what meets it, what requires it.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'graph' -d 'Print the dependency graph, as text or as Graphviz DOT (--dot).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'apply' -d 'Make the store match services declared in files (*.srv in a DIR).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'hook' -d 'Add, list or remove hooks: commands run before or after changes.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'schema' -d 'Set, show, list or remove a specification\'s typed properties.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'run' -d 'Run a batch file of servreg commands (- reads standard input).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'shell' -d 'Start an interactive session (what bare servreg, or servreg --store PATH, does on a terminal).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'export' -d 'Print hooks, schemas and services as JSON lines (for import).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'import' -d 'Register the services of an export into an empty store, ids kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg register" -ge 1' -fka '(__servreg_custom_completion ---completion register -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register"' -l 'prop' -d 'A property: key=value (type inferred) or key:TYPE=value (str, int, float, bool, list<T>). Repeatable.' -rfka '(__servreg_custom_completion ---completion register -- --prop (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register"' -l 'props-json' -d 'Properties as a JSON object, e.g. \'{"price": 90, "tags": ["a"]}\'; @FILE reads it from a file, @- from stdin. Repeatable.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" client' -l 'client' -d 'The client: who registers or uses (default: $SERVREG_CLIENT, else the user name).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" value' -l 'value' -d 'The service\'s value: any text (get --value prints it).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" value-file' -l 'value-file' -d 'The service\'s value, read from a file (- for standard input).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" factory-timeout' -l 'factory-timeout' -d 'How long the factory may run (default 10s).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" ranking' -l 'ranking' -d 'service.ranking: an integer, default 0.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" scope' -l 'scope' -d 'service.scope: singleton (default), bundle or prototype.' -rfka 'singleton bundle prototype'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" name' -l 'name' -d 'A unique name (letters, digits, . _ -): the service is then also @NAME.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" existing' -l 'existing' -d 'With --name, when the name is taken: update (merge into it) or replace (unregister it).' -rfka 'update replace'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" ttl' -l 'ttl' -d 'A lease: the service expires unless renewed within it (500ms, 30s, 5m, 1h).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" owner-pid' -l 'owner-pid' -d 'The service belongs to this process and goes when it ends.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register"' -l 'requires' -d 'A requirement: SPEC, SPEC:FILTER or @NAME (repeatable); the service is hidden until all are met.' -rfka '(__servreg_custom_completion ---completion register -- --requires (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" stop-timeout' -l 'stop-timeout' -d 'With --hold and --requires: how long COMMAND has after SIGTERM before SIGKILL (default 10s).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" once' -l 'once' -d 'With --hold and --requires: exit when a requirement is lost instead of waiting to start again.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register"' -l 'hold' -d 'Run COMMAND (the rest of the line, after --) and keep the service exactly as long as it runs.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register"' -l 'factory' -d 'A factory: [--scope S] [--release -- RELEASE…] -- COMMAND… (the rest of the line); COMMAND\'s output is the value.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register"' -l 'release' -d 'After --factory: --release -- RELEASE… -- COMMAND…: RELEASE gets a value on stdin when it is let go of.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg register" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg get" -eq 1' -fka '(__servreg_custom_completion ---completion get -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" filter' -l 'filter' -d 'An LDAP filter (RFC 4515, OSGi semantics), e.g. \'(&(price<=100)(location=BH3))\'.' -rfka '(__servreg_custom_completion ---completion get -- --filter (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" min' -l 'min' -d 'Order by this property, smallest first.' -rfka '(__servreg_custom_completion ---completion get -- --min (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" max' -l 'max' -d 'Order by this property, largest first.' -rfka '(__servreg_custom_completion ---completion get -- --max (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" include-unsatisfied' -l 'include-unsatisfied' -d 'Also services whose requirements are not all met (hidden otherwise).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" value' -l 'value' -d 'Print the service\'s value alone, byte for byte (a factory makes it).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" client' -l 'client' -d 'The client: who registers or uses (default: $SERVREG_CLIENT, else the user name).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg get-all" -eq 1' -fka '(__servreg_custom_completion ---completion get-all -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" filter' -l 'filter' -d 'An LDAP filter (RFC 4515, OSGi semantics), e.g. \'(&(price<=100)(location=BH3))\'.' -rfka '(__servreg_custom_completion ---completion get-all -- --filter (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" min' -l 'min' -d 'Order by this property, smallest first.' -rfka '(__servreg_custom_completion ---completion get-all -- --min (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" max' -l 'max' -d 'Order by this property, largest first.' -rfka '(__servreg_custom_completion ---completion get-all -- --max (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" include-unsatisfied' -l 'include-unsatisfied' -d 'Also services whose requirements are not all met (hidden otherwise).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" limit' -l 'limit' -d 'Print at most n services.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" count' -l 'count' -d 'Print the number of matching services only.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" registered-by' -l 'registered-by' -d 'Only the services this client registered.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg get-all" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg props" -eq 1' -fka '(__servreg_custom_completion ---completion props -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" value' -l 'value' -d 'Print the service\'s value alone, byte for byte (a factory makes it).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" client' -l 'client' -d 'The client: who registers or uses (default: $SERVREG_CLIENT, else the user name).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg props" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg set-props" -eq 1' -fka '(__servreg_custom_completion ---completion set-props -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg set-props" -ge 2' -fka '(__servreg_custom_completion ---completion set-props -- positional@1 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props"' -l 'prop' -d 'A property: key=value (type inferred) or key:TYPE=value (str, int, float, bool, list<T>). Repeatable.' -rfka '(__servreg_custom_completion ---completion set-props -- --prop (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props"' -l 'props-json' -d 'Properties as a JSON object, e.g. \'{"price": 90, "tags": ["a"]}\'; @FILE reads it from a file, @- from stdin. Repeatable.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props"' -l 'unset' -d 'Remove a property. Repeatable.' -rfka '(__servreg_custom_completion ---completion set-props -- --unset (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" replace' -l 'replace' -d 'Replace the whole property set instead of merging.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" if-rev' -l 'if-rev' -d 'Change nothing (exit 2) unless the service is at this service.revision.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" ttl' -l 'ttl' -d 'A new lease from now (500ms, 30s, 5m, 1h); 0 removes the lease.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" value' -l 'value' -d 'The service\'s value: any text (get --value prints it).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" value-file' -l 'value-file' -d 'The service\'s value, read from a file (- for standard input).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg set-props" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg unregister" -ge 1' -fka '(__servreg_custom_completion ---completion unregister -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" filter' -l 'filter' -d 'Remove every service that matches this LDAP filter.' -rfka '(__servreg_custom_completion ---completion unregister -- --filter (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" dry-run' -l 'dry-run' -d 'With --filter: list what would be removed, remove nothing.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" include-unsatisfied' -l 'include-unsatisfied' -d 'With --filter: also the services whose requirements are not all met.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" if-rev' -l 'if-rev' -d 'Remove nothing (exit 2) unless the service is at this service.revision.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unregister" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg specs" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg specs" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg specs" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg specs" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg specs" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg specs" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg specs" -eq 1' -fka '(__servreg_custom_completion ---completion specs -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg specs" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg specs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg listen" -eq 1' -fka '(__servreg_custom_completion ---completion listen -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" filter' -l 'filter' -d 'Only events about services this LDAP filter matches (see above).' -rfka '(__servreg_custom_completion ---completion listen -- --filter (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" since' -l 'since' -d 'Replay the events after this seq first.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" initial' -l 'initial' -d 'Print the matching services first, then the events after them.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" count' -l 'count' -d 'Stop after n events.' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" timeout' -l 'timeout' -d 'Stop after this long: 30s, 500ms, 5m, 1h (plain number: seconds).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" exec-fail-stop' -l 'exec-fail-stop' -d 'With --exec: stop at the first command that fails (exit 2).'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen"' -l 'exec' -d 'Run this command per event (the rest of the line).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg listen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg renew" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg renew" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg renew" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg renew" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg renew" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg renew" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg renew" -ge 1' -fka '(__servreg_custom_completion ---completion renew -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg renew" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg renew" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg keepalive" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg keepalive" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg keepalive" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg keepalive" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg keepalive" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg keepalive" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg keepalive" -ge 1' -fka '(__servreg_custom_completion ---completion keepalive -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg keepalive" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg keepalive" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg unget" -eq 1' -fka '(__servreg_custom_completion ---completion unget -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" client' -l 'client' -d 'The client: who registers or uses (default: $SERVREG_CLIENT, else the user name).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" value' -l 'value' -d 'The service\'s value: any text (get --value prints it).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" value-file' -l 'value-file' -d 'The service\'s value, read from a file (- for standard input).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg unget" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg deps" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg deps" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg deps" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg deps" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg deps" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg deps" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg deps" -eq 1' -fka '(__servreg_custom_completion ---completion deps -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg deps" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg deps" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg graph" -eq 1' -fka '(__servreg_custom_completion ---completion graph -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" dot' -l 'dot' -d 'Print Graphviz DOT.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg graph" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg apply" -ge 1' -F
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" prune' -l 'prune' -d 'Also unregister what an earlier apply of these files registered and they no longer declare.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" diff' -l 'diff' -d 'Print what apply would do; change nothing.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg hook" -eq 1' -fka 'add list rm'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg hook" -eq 2' -fka 'before after'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg hook" -eq 3' -fka 'register set-props unregister'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" spec' -l 'spec' -d 'With add: only for services of this specification (or PREFIX*).' -rfka '(__servreg_custom_completion ---completion hook -- --spec (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" name' -l 'name' -d 'With add: the hook\'s name (default hook-N).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" timeout' -l 'timeout' -d 'With add: how long it may run (default 5s).' -rfka ''
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg hook" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg schema" -ge 1' -fka '(__servreg_custom_completion ---completion schema -- positional@0 (count (__servreg_tokens -pc)) (__servreg_tokens -tC))'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" closed' -l 'closed' -d 'With set: refuse keys that no field names.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" check' -l 'check' -d 'With set: list the services that violate it; store nothing.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg schema" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg run" -eq 1' -F
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" keep-going' -l 'keep-going' -d 'Run every line even after one fails; exit non-zero if any failed.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" atomic' -l 'atomic' -d 'Apply the whole file in one transaction: every line or none.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" x' -s 'x' -d 'Print each line on standard error before running it.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg shell" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg shell" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg shell" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg shell" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg shell" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg shell" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg shell" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg shell" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg export" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg export" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg export" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg export" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg export" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg export" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg export" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg import" store' -l 'store' -d 'The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS (default: $SERVREG_STORE, else the XDG data directory).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'db\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg import" cacert' -l 'cacert' -d 'etcd over TLS: the CA certificates (PEM) the members\' must chain to (default: $SERVREG_ETCD_CACERT, else the system\'s).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg import" cert' -l 'cert' -d 'etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg import" key' -l 'key' -d 'etcd over TLS: the client certificate\'s private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert\'s file).' -rF
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg import" json' -l 'json' -d 'Print JSON: one object per service, types kept.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg import" q quiet' -s 'q' -l 'quiet' -d 'Print service ids only, one per line.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_positional "servreg import" -eq 1' -F
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg import" version' -l 'version' -d 'Show the version.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'servreg' -n '__servreg_should_offer_completions_for_flags_or_options "servreg help" version' -l 'version' -d 'Show the version.'